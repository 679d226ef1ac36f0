// The vector column kernels (kernels/column_sums) against the array's scalar adder tree,
// bit for bit: the exact kernels' idle-row folding and the masked rows' leaves, on both
// vector widths, with special values (signed zeros, subnormals, infinities, NaNs).
#include "kernels/column_sums.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "arch/number_format.h"
#include "arch/pe_array.h"
#include "arch/random.h"
#include "vector_isas.h"

namespace accsim {
namespace {

namespace cs = column_sums;

constexpr int kCount = kChunk;  // lanes per call

// A random operand, now and then a special value.
float random_value(Rng& rng) {
  const float specials[] = {0.0f, -0.0f, 1e-40f, -1e-40f, std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()};
  if (rng.below(8) == 0) return specials[rng.below(7)];
  return std::ldexp(rng.uniform(-1.0f, 1.0f), static_cast<int>(rng.below(20)) - 10);
}

// One column: operands x[row][lane] and weights w[row]; rows from `used` on are idle
// (+0 operands, weight +1). `special` rows take their leaves from `leaves`: products
// where `products` holds a mask, masked inputs (times w) where it does not.
struct Column {
  int rows, used;
  std::vector<float> x, leaves, w, scratch;
  std::vector<StuckMask> masks, products;
  std::uint64_t special = 0;
  Column(int rows_, int used_, Rng& rng)
      : rows(rows_),
        used(used_),
        x(static_cast<std::size_t>(rows_) * cs::kRowStride, 0.0f),
        leaves(x.size(), 0.0f),
        w(static_cast<std::size_t>(rows_), 1.0f),
        scratch(static_cast<std::size_t>(rows_) * kChunk),
        masks(static_cast<std::size_t>(rows_)),
        products(static_cast<std::size_t>(rows_)) {
    for (int row = 0; row < used; ++row) {
      w[row] = random_value(rng);
      for (int i = 0; i < kCount; ++i) {
        x[row * cs::kRowStride + i] = random_value(rng);
        leaves[row * cs::kRowStride + i] = random_value(rng);
      }
    }
  }
  std::uint64_t product_rows = 0;  // set by input(): the rows with a product mask
  cs::ColumnInput input(const StuckMask& psum) {
    product_rows = 0;
    for (int row = 0; row < rows; ++row) product_rows |= std::uint64_t{!products[row].identity()} << row;
    return {x.data(), w.data(), masks.data(), products.data(), leaves.data(), &special, scratch.data(), psum,
            &product_rows};
  }
  // The array's column sum of lane i: every row's leaf through adder_tree.
  float sum(int i) const {
    std::vector<float> p(static_cast<std::size_t>(rows));
    for (int row = 0; row < rows; ++row) {
      const float leaf = leaves[row * cs::kRowStride + i];
      p[row] = !(special >> row & 1u)         ? w[row] * x[row * cs::kRowStride + i]
               : products[row].identity() ? w[row] * leaf
                                          : leaf;
    }
    adder_tree(p.data(), rows, 1, [](float a, float b) { return a + b; });
    return p[0];
  }
};

// Runs `fn` twice on the column (a first step, then an accumulating one) from entries
// `acc0` and returns the entries.
std::vector<float> two_steps(cs::AccumulateFn fn, Column& c, const StuckMask& psum, const std::vector<float>& acc0) {
  std::vector<float> acc = acc0;
  const cs::ColumnInput in = c.input(psum);
  fn(in, c.rows, kCount, acc.data(), true);
  fn(in, c.rows, kCount, acc.data(), false);
  return acc;
}

// The datapath's two exact steps: psum = mask(canonical(sum)); acc = psum, then
// canonical(acc + psum).
float exact_two_steps(float sum, const StuckMask& m) {
  const float psum = bits_float(m.apply(float_bits(canonical(sum))));
  return canonical(psum + psum);
}

using testing::vector_isas;

class ColumnSums : public ::testing::Test {
 protected:
  void TearDown() override { cs::set_vector_isa(isa_); }
  const cs::VectorIsa isa_ = cs::vector_isa();
};

// The exact kernel of `used` rows reads no idle row (they hold NaNs here) and gives the
// bits of the whole tree with +0 leaves there, through a psum stuck-at.
TEST_F(ColumnSums, ExactKernelsFoldIdleRowsToTheWholeTreesBits) {
  Rng rng(7);
  const StuckMask psum_mask{~(1u << 30), 1u << 3};  // bit 30 stuck at 0, bit 3 at 1
  for (const cs::VectorIsa isa : vector_isas())
    for (const int rows : {8, 64})
      for (const int used : {1, 3, 6, 8, rows}) {
        if (used > rows) continue;
        ASSERT_TRUE(cs::set_vector_isa(isa));
        Column c(rows, used, rng);
        std::vector<float> expected(kCount);
        for (int i = 0; i < kCount; ++i) expected[i] = exact_two_steps(c.sum(i), psum_mask);
        Column poisoned = c;  // idle rows a folding kernel must not read
        for (int row = used; row < rows; ++row) {
          poisoned.w[row] = std::numeric_limits<float>::quiet_NaN();
          for (int i = 0; i < kCount; ++i)
            poisoned.x[row * cs::kRowStride + i] = std::numeric_limits<float>::quiet_NaN();
        }
        const std::vector<float> acc0(kCount, 0.0f);
        const std::vector<float> folded =
            two_steps(cs::exact_accumulate_fn(rows, used, false), poisoned, psum_mask, acc0);
        const std::vector<float> whole = two_steps(cs::exact_accumulate_fn(rows, rows, false), c, psum_mask, acc0);
        for (int i = 0; i < kCount; ++i) {
          const std::string what = "rows " + std::to_string(rows) + " used " + std::to_string(used) + " lane " +
                                   std::to_string(i) + (isa == cs::VectorIsa::avx512 ? " avx512" : " avx2");
          ASSERT_EQ(float_bits(folded[i]), float_bits(expected[i])) << what;
          ASSERT_EQ(float_bits(whole[i]), float_bits(expected[i])) << what;
        }
      }
}

// Masked rows (c.special) take their leaves as they are (a row with a product mask) or
// times their weight (a row with only an input mask: its masked inputs), signed zeros,
// subnormals and NaNs included: in the fused kernels (NaNs compared canonical: they are
// canonicalised on the way out) and the exact ones.
TEST_F(ColumnSums, MaskedRowsTakeTheirLeavesBitForBit) {
  Rng rng(11);
  const StuckMask identity;
  for (const cs::VectorIsa isa : vector_isas())
    for (const int rows : {8, 64})
      for (const int used : {6, rows}) {
        ASSERT_TRUE(cs::set_vector_isa(isa));
        Column c(rows, used, rng);
        c.special = std::uint64_t{1} | std::uint64_t{1} << (used - 1);  // the first and last used rows
        c.products[0] = {~0u, 1u};  // the first: a product (the kernel reads the mask's presence only)
        std::vector<float> acc(kCount, 0.0f);
        cs::accumulate_fn(rows, used, true)(c.input(identity), rows, kCount, acc.data(), true);
        const std::vector<float> exact =
            two_steps(cs::exact_accumulate_fn(rows, used, true), c, identity, std::vector<float>(kCount, 0.0f));
        for (int i = 0; i < kCount; ++i) {
          const std::string what = "rows " + std::to_string(rows) + " used " + std::to_string(used) + " lane " +
                                   std::to_string(i) + (isa == cs::VectorIsa::avx512 ? " avx512" : " avx2");
          ASSERT_EQ(float_bits(canonical(acc[i])), float_bits(canonical(c.sum(i)))) << what;
          ASSERT_EQ(float_bits(exact[i]), float_bits(exact_two_steps(c.sum(i), identity))) << what;
        }
      }
}


// keeps_nans: a mask whose exponent bits are kept or forced to 1 and whose quiet bit is
// kept (or some fraction bit forced to 1) maps every quiet NaN to a NaN; any other does not.
TEST_F(ColumnSums, KeepsNansOnlyForMasksThatLeaveEveryQuietNanANan) {
  EXPECT_TRUE(cs::keeps_nans(StuckMask{}));
  EXPECT_TRUE(cs::keeps_nans({~0u, 1u << 3}));           // a fraction bit stuck at 1
  EXPECT_TRUE(cs::keeps_nans({~(1u << 3), 0}));          // ... at 0
  EXPECT_TRUE(cs::keeps_nans({~0u, 1u << 30}));          // an exponent bit stuck at 1
  EXPECT_TRUE(cs::keeps_nans({~(1u << 31), 0}));         // the sign stuck at 0
  EXPECT_TRUE(cs::keeps_nans({~(1u << 22), 1u << 5}));   // the quiet bit at 0, another fraction bit at 1
  EXPECT_FALSE(cs::keeps_nans({~(1u << 30), 0}));        // an exponent bit stuck at 0: a finite number
  EXPECT_FALSE(cs::keeps_nans({~(1u << 23), 0}));
  EXPECT_FALSE(cs::keeps_nans({~(1u << 22), 0}));        // the quiet bit at 0: Inf for the canonical NaN
}

// The masked kernels give the exact kernels' bits once NaNs are canonicalised (what the
// caller does on the way out), through masks that keep NaNs, with NaN sums of any
// payload: at both widths, fused and special rows, idle rows folded. (Over two steps:
// after one, the exact kernel's entry is the masked sum itself, not canonical.)
TEST_F(ColumnSums, MaskedKernelsGiveTheExactBitsOnceNansAreCanonical) {
  Rng rng(17);
  const std::uint32_t payloads[] = {0x7fa12345u, 0xff812345u, 0x7f800001u, 0xffc00000u};  // sNaN leaves too
  int numbers = 0;  // lanes that are not NaN
  for (const StuckMask psum_mask : {StuckMask{~0u, 1u << 3}, StuckMask{~(1u << 22), 1u << 5}, StuckMask{~0u, 1u << 30}})
    for (const cs::VectorIsa isa : vector_isas())
      for (const int rows : {8, 64})
        for (const int used : {6, rows})
          for (const bool special : {false, true}) {
            ASSERT_TRUE(cs::set_vector_isa(isa));
            ASSERT_TRUE(cs::keeps_nans(psum_mask));
            Column c(rows, used, rng);
            for (int i = 0; i < kCount; i += 5)  // NaNs of many payloads in the operands
              c.x[static_cast<std::size_t>(rng.below(static_cast<std::uint32_t>(used))) * cs::kRowStride + i] =
                  bits_float(payloads[rng.below(4)]);
            if (special) c.special = std::uint64_t{1} | std::uint64_t{1} << (used - 1);
            const std::vector<float> acc0(kCount, 0.0f);
            const std::vector<float> exact = two_steps(cs::exact_accumulate_fn(rows, used, special), c, psum_mask, acc0);
            const std::vector<float> masked =
                two_steps(cs::masked_accumulate_fn(rows, used, special), c, psum_mask, acc0);
            int nans = 0;
            for (int i = 0; i < kCount; ++i) {
              const std::string what = "rows " + std::to_string(rows) + " used " + std::to_string(used) + " lane " +
                                       std::to_string(i) + (special ? " special" : "") +
                                       (isa == cs::VectorIsa::avx512 ? " avx512" : " avx2");
              ASSERT_EQ(float_bits(canonical(masked[i])), float_bits(exact[i])) << what;
              nans += std::isnan(exact[i]);
            }
            EXPECT_GT(nans, 0);
            numbers += kCount - nans;
          }
  EXPECT_GT(numbers, 0);
}


// The leaves of masked PEs at either vector width: the input through its mask (fp16: on
// the word the value stands for, signalling NaNs' payloads included), and where the
// product has a mask too, the product, canonicalised and masked; a PE with only an input
// mask leaves its masked input.
TEST_F(ColumnSums, MaskedLeavesAreTheMaskedProductsAtEitherWidth) {
  Rng rng(13);
  const int rows = 8;
  const std::uint16_t nans[] = {0x7c01u, 0xfd55u, 0x7e00u, 0x7fffu};  // signalling and quiet
  for (const cs::VectorIsa isa : vector_isas())
    for (const DataType type : {DataType::fp32, DataType::fp16}) {
      ASSERT_TRUE(cs::set_vector_isa(isa));
      Column c(rows, rows, rng);
      std::vector<std::uint16_t> words(c.x.size(), 0);
      if (type == DataType::fp16)
        for (std::size_t i = 0; i < words.size(); ++i) {
          words[i] = i % 23 == 5 ? nans[i / 23 % 4] : fp32_to_fp16(c.x[i]);  // a few in every row
          c.x[i] = fp16_to_fp32(words[i]);
        }
      c.masks[1] = {~(1u << 13), 0};  // row 1: an input stuck-at-0 (a bit both formats have)
      std::vector<StuckMask> products(rows);
      products[1] = {~0u, 1u << 30};  // row 1: a product stuck-at-1 too
      products[6] = {~(1u << 31), 0};  // row 6: the product's sign stuck at 0
      c.masks[3] = {~0u, 1u << 12};  // row 3: an input stuck-at-1 alone
      c.special = std::uint64_t{1} << 1 | std::uint64_t{1} << 3 | std::uint64_t{1} << 6;
      cs::ColumnInput in = c.input(StuckMask{});
      in.pm = products.data();
      cs::masked_leaves_fn(type)(in, rows, kCount, &c.special);
      for (const int row : {1, 3, 6})
        for (int i = 0; i < kCount; ++i) {
          const std::size_t at = static_cast<std::size_t>(row) * cs::kRowStride + i;
          const std::uint32_t word = c.masks[row].apply(std::uint32_t{words[at]});
          const float x = type == DataType::fp16 ? fp16_to_fp32(static_cast<std::uint16_t>(word))
                                                 : c.masks[row].apply(c.x[at]);
          const float expected = products[row].identity() ? x : products[row].apply(canonical(c.w[row] * x));
          if (std::isnan(expected) && products[row].identity()) {  // a NaN input: the tree only multiplies it
            ASSERT_TRUE(std::isnan(c.leaves[at])) << "row " << row << " lane " << i;
            continue;
          }
          ASSERT_EQ(float_bits(c.leaves[at]), float_bits(expected))
              << "row " << row << " lane " << i << " " << to_string(type)
              << (isa == cs::VectorIsa::avx512 ? " avx512" : " avx2");
        }
    }
}

}  // namespace
}  // namespace accsim
