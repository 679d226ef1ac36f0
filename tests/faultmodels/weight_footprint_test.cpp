#include "faultmodels/weight_footprint.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace accsim {
namespace {

TEST(WeightFootprint, WithoutSwizzleAStuckPeTouchesWeightsOfChannelsModuloTheArray) {
  ArrayConfig a = testing::preset("small");
  const ConvShape s{1, 20, 6, 6, 19, 3, 3, 1, 0};
  Mapping m(s, a, SwizzlePolicy::none, 0);
  const auto mask = weight_footprint(s, m, {{FaultSite::weight, 3, 5, 28, FaultKind::stuck_at_0}});
  for (int oc = 0; oc < s.k; ++oc)
    for (int ic = 0; ic < s.c; ++ic)
      for (int i = 0; i < 9; ++i)
        EXPECT_EQ(mask[(oc * s.c + ic) * 9 + i], (oc % 8 == 5 && ic % 8 == 3) ? 1 : 0) << oc << "," << ic;
}

TEST(WeightFootprint, TransientsAndOutputSiteFaultsTouchNoWeights) {
  ArrayConfig a = testing::preset("small");
  const ConvShape s{1, 8, 6, 6, 8, 3, 3, 1, 0};
  Mapping m(s, a, SwizzlePolicy::none, 0);
  const auto mask = weight_footprint(s, m,
                                     {{FaultSite::weight, 0, 0, 28, FaultKind::transient, 10},
                                      {FaultSite::psum, 0, 1, 28, FaultKind::stuck_at_1},
                                      {FaultSite::accumulator, 2, 1, 28, FaultKind::stuck_at_1}});
  for (auto v : mask) EXPECT_EQ(v, 0);
}

TEST(WeightFootprint, SwizzleKeepsTheCountButMovesTheTouchedChannels) {
  ArrayConfig a = testing::preset("small");
  const ConvShape s{1, 32, 6, 6, 32, 1, 1, 1, 0};
  const std::vector<HardwareFault> f{{FaultSite::product, 2, 6, 30, FaultKind::stuck_at_1}};
  const auto none = weight_footprint(s, Mapping(s, a, SwizzlePolicy::none, 0), f);
  const auto rot = weight_footprint(s, Mapping(s, a, SwizzlePolicy::rotate, 0), f);
  EXPECT_EQ(std::count(none.begin(), none.end(), 1), std::count(rot.begin(), rot.end(), 1));
  EXPECT_NE(none, rot);
}

}  // namespace
}  // namespace accsim
