// Tensor: construction fills, reshaping checks the element count and moves the data
// out of a temporary instead of copying it.
#include "arch/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace accsim {
namespace {

TEST(Tensor, ConstructionFillsEveryElementWithTheGivenBits) {
  const Tensor zeros({2, 3});
  for (std::size_t i = 0; i < zeros.size(); ++i) EXPECT_FALSE(std::signbit(zeros[i]) || zeros[i] != 0.0f);
  const Tensor negative_zeros({4}, -0.0f);
  for (std::size_t i = 0; i < negative_zeros.size(); ++i) EXPECT_TRUE(std::signbit(negative_zeros[i]));
  const Tensor sevens({3, 1}, 7.0f);
  for (std::size_t i = 0; i < sevens.size(); ++i) EXPECT_EQ(sevens[i], 7.0f);
  EXPECT_THROW(Tensor({2, -1}), std::invalid_argument);
}

TEST(Tensor, ReshapingKeepsTheValuesAndATemporaryGivesItsDataAway) {
  Tensor t({2, 3});
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i);
  const Tensor copy = t.reshaped({3, 2});
  EXPECT_EQ(copy.shape(), (std::vector<int>{3, 2}));
  EXPECT_EQ(t.size(), 6u);  // the source keeps its data
  const float* storage = t.data();
  const Tensor moved = std::move(t).reshaped({6});
  EXPECT_EQ(moved.data(), storage);  // no copy
  for (std::size_t i = 0; i < moved.size(); ++i) EXPECT_EQ(moved[i], copy[i]);
  EXPECT_THROW(copy.reshaped({4, 2}), std::invalid_argument);
  EXPECT_THROW(copy.reshaped({-6, -1}), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
