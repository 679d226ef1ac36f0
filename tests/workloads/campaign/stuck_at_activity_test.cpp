// stuck_at_acts is a promise the campaign evaluators act on (they skip the jobs it clears):
// whenever it says a stuck-at cannot act in a job, the faulty fast engine's job equals the
// fault-free one bit for bit. Checked for every PE of the small array, the three PE sites,
// both kinds and bits across sign, exponent and mantissa, on jobs with idle rows (LeNet's
// conv1 uses one row of eight, conv2 six), padding and a fully-connected shape.
#include "workloads/campaign/stuck_at_activity.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

struct RecordedJob {
  LayerRun record;
  Tensor weights;
  Mapping mapping;
};

RecordedJob record_job(const ArrayConfig& array, const ConvShape& s, Rng& rng) {
  ConvJob job;
  job.layer = "layer";
  job.shape = s;
  LayerRun record;
  record.job = job;
  record.input = testing::random_tensor({s.n, s.c, s.h, s.w}, rng);
  Tensor weights = testing::random_tensor({s.k, s.c, s.r, s.s}, rng);
  const PeFaults healthy;
  const JobResult golden = FastEngine(array, healthy).run(job, record.input, weights, 0);
  record.output = golden.output;
  record.timing = golden.timing;
  return {record, weights, Mapping(s, array, array.swizzle, 0)};
}

TEST(StuckAtActivity, AStuckAtClearedAsInactiveLeavesTheJobBitForBit) {
  const ArrayConfig array = testing::preset("small");
  const std::vector<ConvShape> shapes = {
      {2, 1, 8, 8, 6, 5, 5, 1, 2},   // conv1-like: one busy row, padded
      {2, 6, 6, 6, 16, 3, 3, 1, 0},  // conv2-like: six busy rows, two groups
      {3, 20, 1, 1, 10, 1, 1, 1, 0},  // fully connected: three blocks, the last with four rows
  };
  Rng rng(5);
  int cleared = 0, acting = 0;
  for (const ConvShape& s : shapes) {
    const RecordedJob r = record_job(array, s, rng);
    const std::vector<char> clean(static_cast<std::size_t>(s.n), 0);
    for (const FaultSite site : {FaultSite::weight, FaultSite::input, FaultSite::product})
      for (const FaultKind kind : {FaultKind::stuck_at_0, FaultKind::stuck_at_1})
        for (const int bit : {0, 22, 23, 30, 31})
          for (int row = 0; row < array.atomic_c; ++row)
            for (int col = 0; col < array.atomic_k; ++col) {
              const HardwareFault f{site, row, col, bit, kind, -1};
              const PeFaults faults(array, {f});
              if (stuck_at_acts(f, faults, array, r.record, r.weights, r.mapping, clean)) {
                ++acting;
                continue;
              }
              ++cleared;
              const Tensor got = FastEngine(array, faults).run(r.record.job, r.record.input, r.weights, 0).output;
              ASSERT_EQ(testing::count_bit_differences(got, r.record.output), 0)
                  << describe(f) << " on c " << s.c << " k " << s.k;
            }
  }
  EXPECT_GT(cleared, 500);  // the promise is tested, not vacuous
  EXPECT_GT(acting, 500);
}

// An idle row's PE multiplies +0 registers: stuck-ats that keep its product +0 do not act,
// those that make it another word (a -0, or any bit of the product itself set) do.
TEST(StuckAtActivity, AnIdleRowsPeActsOnlyWhenItsProductLeavesPlusZero) {
  const ArrayConfig array = testing::preset("small");
  Rng rng(6);
  const ConvShape conv1{2, 1, 8, 8, 6, 5, 5, 1, 0};  // rows 1..7 idle
  const RecordedJob r = record_job(array, conv1, rng);
  const std::vector<char> clean(2, 0);
  const auto acts = [&](FaultSite site, FaultKind kind, int bit) {
    const HardwareFault f{site, 3, 2, bit, kind, -1};
    return stuck_at_acts(f, PeFaults(array, {f}), array, r.record, r.weights, r.mapping, clean);
  };
  EXPECT_FALSE(acts(FaultSite::input, FaultKind::stuck_at_1, 30));  // 2.0 x +0
  EXPECT_FALSE(acts(FaultSite::weight, FaultKind::stuck_at_1, 23));
  EXPECT_FALSE(acts(FaultSite::product, FaultKind::stuck_at_0, 30));
  EXPECT_FALSE(acts(FaultSite::input, FaultKind::stuck_at_0, 31));
  EXPECT_TRUE(acts(FaultSite::input, FaultKind::stuck_at_1, 31));  // -0 x +0 = -0
  EXPECT_TRUE(acts(FaultSite::weight, FaultKind::stuck_at_1, 31));
  EXPECT_TRUE(acts(FaultSite::product, FaultKind::stuck_at_1, 0));
  EXPECT_TRUE(acts(FaultSite::psum, FaultKind::stuck_at_0, 0));  // not a PE's register: not looked at
}

}  // namespace
}  // namespace accsim
