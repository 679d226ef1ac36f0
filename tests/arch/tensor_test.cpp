// Tensor: construction fills (or, asked to, leaves the elements unset), reshaping checks
// the element count and moves the data out of a temporary instead of copying it.
#include "arch/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

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

TEST(Tensor, AZeroFilledTensorIsZeroWhereTheHeapHeldOtherBits) {
  // The storage's resize leaves elements unset: the zero fill must come from the
  // constructor itself, also on memory a freed buffer of ones just gave back.
  for (int round = 0; round < 4; ++round) {
    { std::vector<float> ones(4096, 1.0f); }
    const Tensor zeros({4096});
    for (std::size_t i = 0; i < zeros.size(); ++i)
      ASSERT_TRUE(zeros[i] == 0.0f && !std::signbit(zeros[i])) << "round " << round << " element " << i;
  }
}

TEST(Tensor, AnUninitializedTensorHasItsShapeAndUnderTestTheUnsetBits) {
  ASSERT_TRUE(Tensor::poison_unset);  // the test binary's main sets it
  const Tensor t({3, 5}, Tensor::uninitialized);
  EXPECT_EQ(t.shape(), (std::vector<int>{3, 5}));
  ASSERT_EQ(t.size(), 15u);
  for (std::size_t i = 0; i < t.size(); ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, &t.values()[i], sizeof bits);
    EXPECT_EQ(bits, Tensor::kPoisonBits) << i;
  }
  EXPECT_EQ(Tensor({0, 4}, Tensor::uninitialized).size(), 0u);
  EXPECT_THROW(Tensor({2, -1}, Tensor::uninitialized), std::invalid_argument);
}

TEST(Tensor, ValuesCompareWithAPlainVectorAndCopyElementwise) {
  Tensor t({3});
  t.values() = {1.0f, 2.0f, 3.0f};
  EXPECT_EQ(t.values(), (std::vector<float>{1.0f, 2.0f, 3.0f}));
  EXPECT_EQ((std::vector<float>{1.0f, 2.0f, 3.0f}), t.values());
  EXPECT_NE(t.values(), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_NE(t.values(), (std::vector<float>{1.0f, 2.0f, 4.0f}));
  const Tensor copy = t;
  EXPECT_EQ(copy.values(), t.values());
  t.values().resize(5, 9.0f);  // a value given: the new elements get it
  EXPECT_EQ(t.values(), (std::vector<float>{1.0f, 2.0f, 3.0f, 9.0f, 9.0f}));
}

}  // namespace
}  // namespace accsim
