#include "arch/mapping.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"

namespace accsim {
namespace {

ConvShape shape(int c, int k) { return ConvShape{1, c, 4, 4, k, 3, 3, 1, 1}; }

TEST(Mapping, EveryPolicyPlacesEachChannelOfABlockOnExactlyOneRowAndColumn) {
  for (const char* preset : {"small", "large"}) {
    ArrayConfig a = testing::preset(preset);
    for (const auto& name : swizzle_policy_names()) {
      const ConvShape s = shape(3 * a.atomic_c + 5, 2 * a.atomic_k + 3);  // partial last block and group
      Mapping m(s, a, parse_swizzle_policy(name), 42);
      std::vector<int> rows, cols;
      std::set<int> seen_oc;
      for (int g = 0; g < m.groups(); ++g) {
        m.cols_to_channels(g, cols);
        std::set<int> in_group;
        for (int oc : cols)
          if (oc >= 0) {
            EXPECT_EQ(oc / a.atomic_k, g) << name;
            EXPECT_TRUE(in_group.insert(oc).second) << name;
            seen_oc.insert(oc);
            EXPECT_EQ(cols[m.col_of(oc)], oc);
          }
        EXPECT_EQ(static_cast<int>(in_group.size()), m.cols_used(g));
        for (int b = 0; b < m.blocks(); ++b) {
          m.rows_to_channels(g, b, rows);
          std::set<int> in_block;
          for (int ic : rows)
            if (ic >= 0) {
              EXPECT_EQ(ic / a.atomic_c, b) << name;
              EXPECT_TRUE(in_block.insert(ic).second) << name;
              EXPECT_EQ(rows[m.row_of(g, ic)], ic);
            }
          EXPECT_EQ(static_cast<int>(in_block.size()), m.rows_used(b));
        }
      }
      EXPECT_EQ(static_cast<int>(seen_oc.size()), s.k);
    }
  }
}

TEST(Mapping, NoneServesChannelModuloTheArray) {
  ArrayConfig a = testing::preset("small");
  Mapping m(shape(20, 19), a, SwizzlePolicy::none, 0);
  for (int ic = 0; ic < 20; ++ic) EXPECT_EQ(m.row_of(1, ic), ic % 8);
  for (int oc = 0; oc < 19; ++oc) EXPECT_EQ(m.col_of(oc), oc % 8);
}

TEST(Mapping, RotateShiftsColumnsByGroupAndRowsByGroupPlusBlock) {
  ArrayConfig a = testing::preset("small");
  Mapping m(shape(24, 24), a, SwizzlePolicy::rotate, 0);
  for (int oc = 0; oc < 24; ++oc) EXPECT_EQ(m.col_of(oc), (oc % 8 + oc / 8) % 8);
  for (int g = 0; g < 3; ++g)
    for (int ic = 0; ic < 24; ++ic) EXPECT_EQ(m.row_of(g, ic), (ic % 8 + ic / 8 + g) % 8);
}

TEST(Mapping, XorMixesTheGroupAndBlockIndexIntoThePosition) {
  ArrayConfig a = testing::preset("small");
  Mapping m(shape(24, 24), a, SwizzlePolicy::xor_, 0);
  for (int oc = 0; oc < 24; ++oc) EXPECT_EQ(m.col_of(oc), (oc % 8) ^ (oc / 8));
  for (int g = 0; g < 3; ++g)
    for (int ic = 0; ic < 24; ++ic) EXPECT_EQ(m.row_of(g, ic), (ic % 8) ^ ((ic / 8 + g) % 8));
}

TEST(Mapping, RandomIsSeededAndDiffersBetweenSeeds) {
  ArrayConfig a = testing::preset("large");
  const ConvShape s = shape(256, 128);
  Mapping m1(s, a, SwizzlePolicy::random, 7), m2(s, a, SwizzlePolicy::random, 7), m3(s, a, SwizzlePolicy::random, 8);
  std::vector<int> r1, r2, r3;
  m1.rows_to_channels(1, 2, r1);
  m2.rows_to_channels(1, 2, r2);
  m3.rows_to_channels(1, 2, r3);
  EXPECT_EQ(r1, r2);
  EXPECT_NE(r1, r3);
}

TEST(Mapping, XorOnANonPowerOfTwoArrayIsRejected) {
  ArrayConfig a = testing::preset("small");
  a.atomic_c = 6;
  EXPECT_THROW(Mapping(shape(8, 8), a, SwizzlePolicy::xor_, 0), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
