// The slot kernels (kernels/slot_sums.h: column sums vectorised across output channels)
// give the lane kernels' bits and the cycle model's: float_conv run with every eligible
// column on them (SlotPolicy::always) against none (never), at both vector widths, on
// fully-connected and convolution jobs of 8- and 16-row arrays, every floating-point
// format, swizzled mappings, weight-register stuck-ats of sign and exponent bits (idle
// registers negative, NaN or Inf), input and product stuck-ats (the masked kernels; fp16's
// on the words, signalling NaN words included), psum stuck-ats of every bit class alone
// and beside input and product stuck-ats, other faults beside them, NaN and Inf operands,
// regions, and slot counts that leave the last vector partial.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "arch/array_operands.h"
#include "arch/job_timing.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "kernels/column_sums.h"
#include "kernels/slot_sums.h"
#include "fp16_word_job.h"
#include "test_util.h"
#include "vector_isas.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using column_sums::VectorIsa;
using slot_sums::SlotPolicy;
using testing::preset;
using testing::random_tensor;

// Restores the policy and the vector width a test changed.
struct PolicyGuard {
  VectorIsa isa = column_sums::vector_isa();
  ~PolicyGuard() {
    slot_sums::set_slot_policy(SlotPolicy::automatic);
    column_sums::set_vector_isa(isa);
  }
};

struct Case {
  ArrayConfig array;
  ConvJob job;
  std::vector<HardwareFault> faults;
  Tensor in, w;
};

ConvShape random_shape(Rng& rng, const ArrayConfig& a) {
  ConvShape s;
  s.c = 1 + static_cast<int>(rng.below(static_cast<std::uint64_t>(3 * a.atomic_c)));
  s.k = 1 + static_cast<int>(rng.below(70));  // slot counts of every remainder
  if (rng.below(2)) {  // fully connected: the batch is the positions
    s.n = 1 + static_cast<int>(rng.below(40));
    s.h = s.w = s.r = s.s = 1;
    return s;
  }
  s.n = 1 + static_cast<int>(rng.below(2));
  s.r = s.s = 1 + static_cast<int>(rng.below(4));
  s.stride = 1 + static_cast<int>(rng.below(2));
  s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(s.r)));
  s.h = s.r + static_cast<int>(rng.below(12));
  s.w = s.s + static_cast<int>(rng.below(12));
  return s;
}

// A weight stuck-at of a sign or exponent bit (idle registers negative, Inf or NaN),
// or any fault of any site and kind.
HardwareFault random_fault(Rng& rng, const Case& c) {
  HardwareFault f;
  const DataType t = c.array.datatype;
  const bool weight = rng.below(2) == 0;
  f.site = weight ? FaultSite::weight : static_cast<FaultSite>(rng.below(5));
  f.kind = weight ? static_cast<FaultKind>(rng.below(2)) : static_cast<FaultKind>(rng.below(3));
  const int width = site_bit_width(f.site, t);
  const int exponent_bits = t == DataType::fp32 ? 9 : t == DataType::fp16 ? 6 : 9;  // sign and exponent
  f.bit = weight && rng.below(2) ? width - 1 - static_cast<int>(rng.below(exponent_bits))
                                 : static_cast<int>(rng.below(static_cast<std::uint64_t>(width)));
  f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(
      f.site == FaultSite::accumulator ? c.array.stripe_length : c.array.atomic_c)));
  if (f.site == FaultSite::psum) f.row = 0;
  f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(c.array.atomic_k)));
  if (f.kind == FaultKind::transient)
    f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(closed_form_timing(c.job.shape, c.array).cycles)));
  return f;
}

// Operands in [-1, 1], some NaN and Inf among them.
void special_values(Tensor& t, Rng& rng) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(), -0.0f};
  for (auto& v : t.values())
    if (rng.below(40) == 0) v = specials[rng.below(4)];
}

// An input or product stuck-at at (row, col), its polarity and bit drawn from rng.
HardwareFault stuck_at(Rng& rng, FaultSite site, int row, int col, DataType datatype) {
  HardwareFault f;
  f.site = site;
  f.kind = rng.below(2) ? FaultKind::stuck_at_1 : FaultKind::stuck_at_0;
  f.row = row, f.col = col;
  f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(site, datatype))));
  return f;
}

// c's operands, random, with special values (NaN, Inf, subnormals) in half the cases.
void random_operands(Case& c, Rng& rng) {
  const ConvShape& s = c.job.shape;
  c.in = random_tensor({s.n, s.c, s.h, s.w}, rng);
  c.w = random_tensor({s.k, s.c, s.r, s.s}, rng);
  if (rng.below(2)) special_values(c.in, rng), special_values(c.w, rng);
}

Case random_case(std::uint64_t seed) {
  Rng rng(seed);
  Case c;
  c.array = preset("small");
  if (rng.below(3) == 0) c.array.atomic_c = 16, c.array.atomic_k = 16;  // the 16-row trees
  c.array.datatype = static_cast<DataType>(seed % 3);  // fp32, fp16, bf16
  c.array.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  c.job.layer = "slots";
  c.job.swizzle_seed = rng.next();
  c.job.shape = random_shape(rng, c.array);
  const int faults = static_cast<int>(rng.below(4));
  for (int i = 0; i < faults; ++i) c.faults.push_back(random_fault(rng, c));
  random_operands(c, rng);
  return c;
}

Tensor run(const Case& c, SlotPolicy policy, int threads = 1) {
  slot_sums::set_slot_policy(policy);
  const PeFaults faults(c.array, c.faults);
  const Mapping mapping(c.job.shape, c.array, c.array.swizzle, c.job.swizzle_seed);
  const ErrorPattern pattern = map_transients(c.job, c.array, faults, 0);
  return array_conv(c.job, c.array, mapping, faults, pattern, c.in, c.w, threads);
}

std::string describe_case(const Case& c, std::uint64_t seed) {
  std::string what = to_string(c.array.datatype) + " rows " + std::to_string(c.array.atomic_c) + " seed " +
                     std::to_string(seed) + (column_sums::vector_isa() == VectorIsa::avx2 ? " AVX2" : " AVX-512");
  for (const auto& f : c.faults) what += " [" + describe(f) + "]";
  return what;
}

using testing::vector_isas;

// On each ISA, cases make(seed0) .. make(seed0 + count - 1): the slot kernels (on 1 or 2
// threads) give the lane kernels' bits.
void expect_lane_bits(Case (*make)(std::uint64_t), std::uint64_t seed0, int count) {
  PolicyGuard guard;
  for (const VectorIsa isa : vector_isas()) {
    column_sums::set_vector_isa(isa);
    for (std::uint64_t seed = 0; seed < static_cast<std::uint64_t>(count); ++seed) {
      const Case c = make(seed0 + seed);
      const Tensor lanes = run(c, SlotPolicy::never);
      const Tensor slots = run(c, SlotPolicy::always, 1 + static_cast<int>(seed % 2));
      ASSERT_EQ(testing::count_bit_differences(lanes, slots), 0) << describe_case(c, seed);
    }
  }
}

// The same against the cycle model, each case cut down to its speed (a few images of a
// few output positions, new inputs, transients' cycles within the smaller job).
void expect_cycle_bits(Case (*make)(std::uint64_t), std::uint64_t seed0, int count) {
  PolicyGuard guard;
  for (const VectorIsa isa : vector_isas()) {
    column_sums::set_vector_isa(isa);
    for (std::uint64_t seed = 0; seed < static_cast<std::uint64_t>(count); ++seed) {
      Case c = make(seed0 + seed);
      ConvShape& s = c.job.shape;
      s.n = std::min(s.n, 3), s.h = std::min(s.h, s.r + 3), s.w = std::min(s.w, s.s + 3);
      Rng rng(seed);
      c.in = random_tensor({s.n, s.c, s.h, s.w}, rng);
      if (seed % 2) special_values(c.in, rng);
      for (auto& f : c.faults)
        if (f.kind == FaultKind::transient) f.cycle %= closed_form_timing(s, c.array).cycles;
      const PeFaults faults(c.array, c.faults);
      const JobResult cycle = make_engine("cycle", c.array, faults)->run(c.job, c.in, c.w, 0);
      const Tensor slots = run(c, SlotPolicy::always);
      ASSERT_EQ(testing::count_bit_differences(cycle.output, slots), 0) << describe_case(c, seed);
    }
  }
}

TEST(SlotSums, SlotKernelsGiveTheLaneKernelsBits) { expect_lane_bits(random_case, 0x5107, 150); }

TEST(SlotSums, SlotKernelsAreBitIdenticalToTheCycleModel) { expect_cycle_bits(random_case, 0x5c1e, 24); }

// Input and product stuck-ats of every format on busy PEs (fp16's input masks act on
// the words), beside healthy columns of the same vectors.
TEST(SlotSums, MaskedPesGiveTheLaneKernelsBits) {
  PolicyGuard guard;
  for (const VectorIsa isa : vector_isas()) {
    column_sums::set_vector_isa(isa);
    for (std::uint64_t seed = 0; seed < 60; ++seed) {
      Rng rng(0x3a5c + seed);
      Case c;
      c.array = preset("small");
      c.array.datatype = static_cast<DataType>(seed % 3);
      c.job.layer = "masked";
      ConvShape& s = c.job.shape;
      s.n = 1 + static_cast<int>(rng.below(30)), s.c = 4 + static_cast<int>(rng.below(20));
      s.k = 1 + static_cast<int>(rng.below(40));
      if (seed % 2) s.h = s.w = 6, s.r = s.s = 3, s.n = 2;
      for (int i = 0; i < 2; ++i) {
        const int row = static_cast<int>(rng.below(4)), col = static_cast<int>(rng.below(8));
        c.faults.push_back(stuck_at(rng, i == 0 ? FaultSite::input : FaultSite::product, row, col, c.array.datatype));
      }
      c.in = random_tensor({s.n, s.c, s.h, s.w}, rng);
      c.w = random_tensor({s.k, s.c, s.r, s.s}, rng);
      ASSERT_EQ(testing::count_bit_differences(run(c, SlotPolicy::never), run(c, SlotPolicy::always)), 0)
          << describe_case(c, seed);
    }
  }
}

// Regions: the slot columns write only their selected planes, the rest stays as it was.
TEST(SlotSums, RegionsGiveTheLaneKernelsPlanes) {
  PolicyGuard guard;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const Case c = random_case(0x4e61 + seed);
    const ConvShape& s = c.job.shape;
    Rng rng(seed);
    ConvRegion region;
    region.columns.resize(static_cast<std::size_t>(c.array.atomic_k));
    for (auto& v : region.columns) v = rng.below(3) == 0;
    region.images.resize(static_cast<std::size_t>(s.n));
    for (auto& v : region.images) v = rng.below(2) == 0;
    const PeFaults faults(c.array, c.faults);
    const Mapping mapping(s, c.array, c.array.swizzle, c.job.swizzle_seed);
    const ErrorPattern pattern = map_transients(c.job, c.array, faults, 0);
    Tensor outs[2];
    for (int i = 0; i < 2; ++i) {
      slot_sums::set_slot_policy(i == 0 ? SlotPolicy::never : SlotPolicy::always);
      outs[i] = Tensor({s.n, s.k, s.p(), s.q()});
      for (auto& v : outs[i].values()) v = 7.0f;
      array_conv_region(c.job, c.array, mapping, faults, pattern, c.in, c.w, region, outs[i], 1);
    }
    ASSERT_EQ(testing::count_bit_differences(outs[0], outs[1]), 0) << describe_case(c, seed);
  }
}

// A psum stuck-at of one bit class: sign, exponent (stuck at 1 they make NaN or Inf
// out of every sum), the quiet bit, other mantissa bits; stuck at 0 or 1.
HardwareFault psum_fault(Rng& rng, int col) {
  static const int bits[] = {31, 30, 27, 24, 23, 22, 21, 12, 3, 0};
  HardwareFault f;
  f.site = FaultSite::psum;
  f.kind = rng.below(2) ? FaultKind::stuck_at_1 : FaultKind::stuck_at_0;
  f.row = 0, f.col = col;
  f.bit = bits[rng.below(std::size(bits))];
  return f;
}

// A job of the small preset's 8-row array (the masked kernels) with a psum stuck-at,
// alone or beside input and product stuck-ats in other columns and in its own; some
// jobs of one step (1x1 kernel, one channel block: those keep the lane kernels).
Case psum_case(std::uint64_t seed) {
  Rng rng(seed);
  Case c;
  c.array = preset("small");
  c.array.datatype = static_cast<DataType>(seed % 3);
  c.array.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  c.job.layer = "psum";
  c.job.swizzle_seed = rng.next();
  c.job.shape = random_shape(rng, c.array);
  const int col = static_cast<int>(rng.below(8));
  c.faults.push_back(psum_fault(rng, col));
  for (int i = static_cast<int>(rng.below(3)); i > 0; --i) {
    const FaultSite site = rng.below(2) ? FaultSite::input : FaultSite::product;
    const int row = static_cast<int>(rng.below(4));
    const int at = rng.below(2) ? col : static_cast<int>(rng.below(8));
    c.faults.push_back(stuck_at(rng, site, row, at, c.array.datatype));
  }
  if (rng.below(3) == 0) c.faults.push_back(psum_fault(rng, static_cast<int>(rng.below(8))));  // a second column
  random_operands(c, rng);
  return c;
}

TEST(SlotSums, PsumStuckAtsGiveTheLaneKernelsBits) { expect_lane_bits(psum_case, 0x95a0, 200); }

TEST(SlotSums, PsumStuckAtsAreBitIdenticalToTheCycleModel) { expect_cycle_bits(psum_case, 0x9c1e, 30); }

// A stuck accumulator entry of column col, stripe slot `slot`, of psum_fault's bit classes.
HardwareFault accumulator_fault(Rng& rng, int slot, int col) {
  HardwareFault f = psum_fault(rng, col);
  f.site = FaultSite::accumulator, f.row = slot;
  return f;
}

// A job of the small preset's 8-row array (the masked kernels) with a stuck accumulator
// entry, alone or beside a second one (its column or another), a psum stuck-at (likewise)
// or an input or product stuck-at (the entries then keep the lane path); stripes of 16, 5
// and 1 positions (every position's entry stuck); jobs of one step among them (the
// entry's positions output the masked sum, NaN bits included).
Case accumulator_case(std::uint64_t seed) {
  Rng rng(seed);
  Case c;
  c.array = preset("small");
  static const int stripes[] = {16, 5, 1};
  c.array.stripe_length = stripes[rng.below(std::size(stripes))];
  c.array.datatype = static_cast<DataType>(seed % 3);
  c.array.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  c.job.layer = "entries";
  c.job.swizzle_seed = rng.next();
  c.job.shape = random_shape(rng, c.array);
  const auto below = [&](int n) { return static_cast<int>(rng.below(static_cast<std::uint64_t>(n))); };
  const int col = below(8);
  c.faults.push_back(accumulator_fault(rng, below(c.array.stripe_length), col));
  const int other = below(2) ? col : below(8);
  switch (below(5)) {
    case 0: c.faults.push_back(accumulator_fault(rng, below(c.array.stripe_length), other)); break;
    case 1: c.faults.push_back(psum_fault(rng, other)); break;
    case 2:
      c.faults.push_back(stuck_at(rng, below(2) ? FaultSite::input : FaultSite::product, below(4), other,
                                  c.array.datatype));
      break;
    default: break;
  }
  random_operands(c, rng);
  return c;
}

TEST(SlotSums, StuckAccumulatorEntriesGiveTheLaneKernelsBits) { expect_lane_bits(accumulator_case, 0xacc0, 200); }

TEST(SlotSums, StuckAccumulatorEntriesAreBitIdenticalToTheCycleModel) {
  expect_cycle_bits(accumulator_case, 0xacc1, 40);
}

// fp16 input stuck-ats act on the input WORD: signalling NaN words (quiet bit clear)
// whose payload the mask keeps or clears (0x7c01 -> 0x7c00 is +Inf), and subnormal and
// other words whose exponent or mantissa bits it changes, against the cycle model, on
// the slot kernels; two channel blocks, a psum stuck-at beside them in another column;
// alone (the masked operand) and beside a second input mask on the row (the word per leaf).
TEST(SlotSums, Fp16InputMasksActOnTheWords) {
  PolicyGuard guard;
  auto [a, job, ops] = testing::fp16_word_job("words", ConvShape{1, 16, 6, 6, 12, 1, 1, 1, 0});
  Rng rng(11);
  static const std::uint32_t specials[] = {0x7c01u, 0xfc02u, 0x7d00u, 0x0001u, 0x8200u, 0x7bffu};
  for (auto& v : ops.input)
    v = rng.below(4) ? 0x3c00u | static_cast<std::uint32_t>(rng.below(0x300)) : specials[rng.below(std::size(specials))];
  for (auto& v : ops.weights) v = 0x3800u | static_cast<std::uint32_t>(rng.below(0x300));
  for (const VectorIsa isa : vector_isas()) {
    column_sums::set_vector_isa(isa);
    for (int bit = 0; bit < 16; ++bit)
      for (const FaultKind kind : {FaultKind::stuck_at_0, FaultKind::stuck_at_1})
        for (const bool two : {false, true}) {
          const HardwareFault input{FaultSite::input, bit % 8, 2, bit, kind, -1};
          const HardwareFault other{FaultSite::input, bit % 8, 6, (bit + 7) % 16, kind, -1};
          const HardwareFault psum{FaultSite::psum, 0, 5, 2, FaultKind::stuck_at_1, -1};
          std::vector<HardwareFault> list{input, psum};
          if (two) list.push_back(other);
          const PeFaults faults(a, list);
          slot_sums::set_slot_policy(SlotPolicy::always);
          const JobResult slots = make_engine("fast", a, faults)->run_encoded(job, ops, 0);
          const JobResult cycle = make_engine("cycle", a, faults)->run_encoded(job, ops, 0);
          ASSERT_EQ(testing::count_bit_differences(cycle.output, slots.output), 0)
              << "bit " << bit << " " << to_string(kind) << (two ? " two masks" : "")
              << (isa == VectorIsa::avx2 ? " AVX2" : " AVX-512");
        }
  }
}

// Transient flips of every site (weight, input and product registers, the psum) beside
// stuck-ats: a slot column whose flips hit few lanes of a chunk keeps the slot kernels
// there, its flipped lanes recomputed; against the lane kernels and the cycle model.
Case transient_case(std::uint64_t seed) {
  Case c = random_case(seed);
  Rng rng(seed ^ 0x7f11);
  for (int i = 1 + static_cast<int>(rng.below(3)); i > 0; --i) {
    HardwareFault f = random_fault(rng, c);
    f.site = static_cast<FaultSite>(rng.below(4));  // weight, input, product, psum
    f.kind = FaultKind::transient;
    f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, c.array.datatype))));
    f.row = f.site == FaultSite::psum ? 0 : static_cast<int>(rng.below(static_cast<std::uint64_t>(c.array.atomic_c)));
    f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(closed_form_timing(c.job.shape, c.array).cycles)));
    c.faults.push_back(f);
  }
  return c;
}

TEST(SlotSums, TransientFlipsGiveTheLaneKernelsBits) { expect_lane_bits(transient_case, 0x7a40, 200); }

TEST(SlotSums, TransientFlipsAreBitIdenticalToTheCycleModel) { expect_cycle_bits(transient_case, 0x7c1e, 30); }

// A flipped lane's other steps are summed by the slot kernel (slot_lane's slot_steps) through its
// column's input and product stuck-ats: psum_case's jobs with, instead of its faults,
// input and product stuck-ats on one row (the masked kernels' one row), one in the
// flipped column, and transients of every site in that column (a psum-stuck column's
// flips take the lane kernels).
Case masked_flip_case(std::uint64_t seed) {
  Case c = psum_case(seed);
  Rng rng(seed ^ 0x3f1a);
  const ConvShape& s = c.job.shape;
  const int col = c.faults[0].col, row = static_cast<int>(rng.below(4));
  c.faults.clear();
  for (int i = 1 + static_cast<int>(rng.below(2)); i > 0; --i) {
    HardwareFault f;
    f.site = rng.below(2) ? FaultSite::input : FaultSite::product;
    f.kind = rng.below(2) ? FaultKind::stuck_at_1 : FaultKind::stuck_at_0;
    f.row = row, f.col = c.faults.empty() ? col : static_cast<int>(rng.below(8));
    f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, c.array.datatype))));
    c.faults.push_back(f);
  }
  for (int i = 1 + static_cast<int>(rng.below(2)); i > 0; --i) {
    HardwareFault f;
    f.site = static_cast<FaultSite>(rng.below(4));  // weight, input, product, psum
    f.kind = FaultKind::transient;
    f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, c.array.datatype))));
    f.row = f.site == FaultSite::psum ? 0 : static_cast<int>(rng.below(4));
    f.col = col;
    f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(closed_form_timing(s, c.array).cycles)));
    c.faults.push_back(f);
  }
  return c;
}

TEST(SlotSums, FlippedLanesOfMaskedColumnsGiveTheLaneKernelsBits) { expect_lane_bits(masked_flip_case, 0x3f20, 200); }

TEST(SlotSums, FlippedLanesOfMaskedColumnsAreBitIdenticalToTheCycleModel) {
  expect_cycle_bits(masked_flip_case, 0x3fc1, 30);
}


// Every kind of masked kernel (slot_sums::MaskKind: an input mask on the fp32 view or the
// fp16 word, a product mask, both; the input through the masked operand: one input mask
// on the row, in one column or two) in every format, with a psum stuck-at beside it or
// not: seed % 30 picks the format, the kind and the psum, seed / 30 % 2 jobs of 64
// channels (72 steps: runs of more than one call's steps), the rest the masked row (a
// busy one), the columns, bits and operands.
Case kind_case(std::uint64_t seed) {
  Rng rng(0x6b1d + seed);
  Case c;
  c.array = preset("small");
  c.array.datatype = static_cast<DataType>(seed % 3);  // fp32, fp16, bf16
  c.array.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  c.job.layer = "kinds";
  c.job.swizzle_seed = rng.next();
  ConvShape& s = c.job.shape;
  s.n = 1 + static_cast<int>(rng.below(2)), s.c = 1 + static_cast<int>(rng.below(8));
  s.k = 9 + static_cast<int>(rng.below(40)), s.r = s.s = 3, s.pad = 1;
  s.h = 3 + static_cast<int>(rng.below(6)), s.w = 3 + static_cast<int>(rng.below(6));
  if (seed / 30 % 2) s.c = 64;
  // input, product, both; input in two columns: the same mask (the masked operand), two masks
  const int kind = static_cast<int>(seed / 3 % 5);
  const int row = static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(s.c, 8))));
  for (const FaultSite site : {FaultSite::input, FaultSite::product}) {
    if ((site == FaultSite::input && kind == 1) || (site == FaultSite::product && kind != 1 && kind != 2)) continue;
    const int col = static_cast<int>(rng.below(8));
    c.faults.push_back(stuck_at(rng, site, row, col, c.array.datatype));
  }
  if (kind >= 3) {
    HardwareFault f = c.faults[0];
    f.col = (f.col + 1 + static_cast<int>(rng.below(7))) % 8;
    if (kind == 4) f.bit = (f.bit + 1) % site_bit_width(FaultSite::input, c.array.datatype);
    c.faults.push_back(f);
  }
  if (seed / 15 % 2) c.faults.push_back(psum_fault(rng, static_cast<int>(rng.below(8))));
  random_operands(c, rng);
  return c;
}

TEST(SlotSums, EveryMaskKindGivesTheLaneKernelsBits) { expect_lane_bits(kind_case, 0, 150); }

TEST(SlotSums, EveryMaskKindIsBitIdenticalToTheCycleModel) { expect_cycle_bits(kind_case, 0, 60); }

// The 8-row trees have a masked kernel for every busy row count, masked row (-1: psum
// masks only) and kind, at both vector widths; none for a row past the busy ones.
TEST(SlotSums, MaskedKernelsCoverEveryRowAndKind) {
  PolicyGuard guard;
  using namespace slot_sums;
  const unsigned kinds[] = {kInputMask,
                            kInputMask | kFp16Input,
                            kProductMask,
                            kFp16Input | kProductMask,
                            kInputMask | kProductMask,
                            kInputMask | kFp16Input | kProductMask,
                            kInputMask | kMaskedOperand,
                            kInputMask | kFp16Input | kMaskedOperand};
  for (const VectorIsa isa : vector_isas()) {
    column_sums::set_vector_isa(isa);
    for (int used = 1; used <= 8; ++used) {
      EXPECT_NE(slot_fn(8, used, true, -1, 0), nullptr) << used;
      for (const unsigned kind : kinds) {
        for (int row = 0; row < used; ++row)
          EXPECT_NE(slot_fn(8, used, true, row, kind), nullptr) << used << " " << row << " " << kind;
        EXPECT_EQ(slot_fn(8, used, true, used, kind), nullptr) << used << " " << kind;
      }
    }
  }
}


// A run's first sum is stored as it is: every product -0 (inputs -0, weights positive,
// every row busy, no padding) sums to -0 in every step, and the output stays -0 (the
// slot kernels start their accumulators at -0, which x + (-0) leaves as it is).
TEST(SlotSums, MinusZeroSumsStayMinusZero) {
  PolicyGuard guard;
  Rng rng(0x2e0);
  Case c;
  c.array = preset("small");
  c.job.layer = "zeros";
  c.job.shape = ConvShape{2, 16, 5, 5, 20, 3, 3, 1, 0};  // two blocks of all 8 rows
  c.in = Tensor({2, 16, 5, 5});
  for (auto& v : c.in.values()) v = -0.0f;
  c.w = random_tensor({20, 16, 3, 3}, rng);
  for (auto& v : c.w.values()) v = std::fabs(v) + 0.5f;
  for (const VectorIsa isa : vector_isas()) {
    column_sums::set_vector_isa(isa);
    const Tensor slots = run(c, SlotPolicy::always);
    ASSERT_EQ(testing::count_bit_differences(run(c, SlotPolicy::never), slots), 0);
    for (const float v : slots.values()) ASSERT_EQ(float_bits(v), 0x80000000u);
  }
}

// Partial trees (6 of 8 rows) of +0 operands and negative weights: every step's sum is
// +0 only through the idle rows' +0 (the products are -0), which the kernels leave out of
// the steps after the first. A psum transient flipping the sign of a first step's sum
// leaves that lane's entry -0, so the next steps must add their +0 sums again (-0 + -0
// would stay -0): every cycle of the job, both paths (the lane kernels' flipped columns,
// the slot kernels' flipped lanes), against the cycle model.
TEST(SlotSums, AFlippedMinusZeroEntryTakesTheNextSumsPlusZero) {
  PolicyGuard guard;
  Case c;
  c.array = preset("small");
  c.job.layer = "zero_flip";
  c.job.shape = ConvShape{1, 6, 4, 4, 8, 3, 3, 1, 0};
  c.in = Tensor({1, 6, 4, 4});  // +0
  c.w = Tensor({8, 6, 3, 3});
  for (auto& v : c.w.values()) v = -0.5f;
  const long long cycles = closed_form_timing(c.job.shape, c.array).cycles;
  for (const VectorIsa isa : vector_isas()) {
    column_sums::set_vector_isa(isa);
    for (long long cycle = 0; cycle < cycles; ++cycle) {
      c.faults = {HardwareFault{FaultSite::psum, 0, 3, 31, FaultKind::transient, cycle}};
      const PeFaults faults(c.array, c.faults);
      const Tensor cycle_model = make_engine("cycle", c.array, faults)->run(c.job, c.in, c.w, 0).output;
      for (const SlotPolicy policy : {SlotPolicy::never, SlotPolicy::always})
        ASSERT_EQ(testing::count_bit_differences(cycle_model, run(c, policy)), 0) << describe_case(c, cycle);
    }
  }
}

}  // namespace
}  // namespace accsim
