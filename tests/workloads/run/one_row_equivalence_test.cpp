// Jobs that use one row of the array (c = 1: a depthwise group, a one-channel stem)
// take the fast engine's one-row path (kernels/one_row_sums.h); they must give the
// cycle model's bits with faults on the PEs they use, in every floating-point format.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "arch/hardware_fault.h"
#include "arch/job_timing.h"
#include "arch/mapping.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "test_util.h"
#include "vector_isas.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

namespace cs = column_sums;
using testing::preset;
using testing::random_tensor;

// Operands with zeros of both signs (a product of -0 is where the tree's +0 leaf shows),
// infinities and NaNs sprinkled in.
void sprinkle(Tensor& t, Rng& rng, int one_in) {
  const float special[] = {0.0f, -0.0f, 0.0f, -0.0f, INFINITY, -INFINITY, NAN};
  for (auto& v : t.values())
    if (rng.below(static_cast<std::uint64_t>(one_in)) == 0) v = special[rng.below(7)];
}

// A fault on the PE (row, col) the job uses, or on its column's psum / accumulator.
HardwareFault fault_on(Rng& rng, int row, int col, DataType type, int stripe, long long cycles) {
  HardwareFault f;
  f.site = static_cast<FaultSite>(rng.below(5));
  f.kind = static_cast<FaultKind>(rng.below(3));
  f.row = f.site == FaultSite::psum ? 0 : f.site == FaultSite::accumulator ? static_cast<int>(rng.below(static_cast<std::uint64_t>(stripe))) : row;
  f.col = col;
  f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, type))));
  if (f.kind == FaultKind::transient) f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles)));
  return f;
}

struct OneRowCase {
  ArrayConfig array;
  ConvJob job;
  std::vector<HardwareFault> faults;
};

OneRowCase one_row_case(std::uint64_t seed, DataType type) {
  Rng rng(seed);
  OneRowCase c;
  c.array = preset(rng.below(4) ? "small" : "large");
  c.array.datatype = type;
  c.array.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  ConvShape& s = c.job.shape;
  s.n = 1 + static_cast<int>(rng.below(3));
  s.c = 1;
  s.k = rng.below(2) ? 1 : 1 + static_cast<int>(rng.below(20));  // a depthwise group, or a stem
  s.r = s.s = 1 + static_cast<int>(rng.below(3));
  s.stride = 1 + static_cast<int>(rng.below(2));
  s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(s.r)));
  s.h = s.r + static_cast<int>(rng.below(12));
  s.w = s.s + static_cast<int>(rng.below(12));
  c.job.layer = "dw/g" + std::to_string(seed % 64);
  c.job.swizzle_seed = rng.next();
  const Mapping mapping(s, c.array, c.array.swizzle, c.job.swizzle_seed);
  const int row = mapping.row_of(0, 0);
  const long long cycles = closed_form_timing(s, c.array).cycles;
  const int faults = 1 + static_cast<int>(rng.below(3));
  for (int i = 0; i < faults; ++i) {
    const int col = mapping.col_of(static_cast<int>(rng.below(static_cast<std::uint64_t>(s.k))));
    c.faults.push_back(fault_on(rng, row, col, type, c.array.stripe_length, cycles));
  }
  return c;
}

// Random one-row jobs, each on both engines (the fast one on each vector ISA); returns
// how many the faults changed.
int expect_one_row_jobs_agree(DataType type, std::uint64_t base, int count) {
  const std::vector<cs::VectorIsa> isas = testing::vector_isas();
  const cs::VectorIsa was = cs::vector_isa();
  int changed = 0;
  for (std::uint64_t seed = base; seed < base + static_cast<std::uint64_t>(count); ++seed) {
    const OneRowCase c = one_row_case(seed, type);
    const ConvShape& s = c.job.shape;
    Rng rng(seed * 7 + 1);
    Tensor in = random_tensor({s.n, 1, s.h, s.w}, rng), w = random_tensor({s.k, 1, s.r, s.s}, rng);
    sprinkle(in, rng, 6);
    sprinkle(w, rng, 12);
    const PeFaults faults(c.array, c.faults), none;
    const JobResult cycle = make_engine("cycle", c.array, faults)->run(c.job, in, w, 0);
    std::string what = to_string(type) + " seed " + std::to_string(seed) + ":";
    for (const auto& f : c.faults) what += " [" + describe(f) + "]";
    JobResult fast;
    for (const cs::VectorIsa isa : isas) {  // the one-row kernels at eight and sixteen lanes
      cs::set_vector_isa(isa);
      fast = make_engine("fast", c.array, faults)->run(c.job, in, w, 0);
      EXPECT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0)
          << what << (isa == cs::VectorIsa::avx2 ? " AVX2" : " AVX-512");
    }
    cs::set_vector_isa(was);
    if (::testing::Test::HasFailure()) return changed;
    changed += testing::count_bit_differences(make_engine("fast", c.array, none)->run(c.job, in, w, 0).output,
                                              fast.output) > 0;
  }
  return changed;
}

TEST(OneRowEquivalence, Fp32OneRowJobsWithFaultsOnTheirPeAreBitIdenticalToTheCycleModel) {
  EXPECT_GT(expect_one_row_jobs_agree(DataType::fp32, 0x1200, 120), 50);
}

TEST(OneRowEquivalence, Fp16OneRowJobsWithFaultsOnTheirPeAreBitIdenticalToTheCycleModel) {
  EXPECT_GT(expect_one_row_jobs_agree(DataType::fp16, 0x1600, 120), 50);
}

TEST(OneRowEquivalence, Bf16OneRowJobsWithFaultsOnTheirPeAreBitIdenticalToTheCycleModel) {
  EXPECT_GT(expect_one_row_jobs_agree(DataType::bf16, 0x1b00, 120), 50);
}

// Every output a -0 product chain: the idle leaves' +0 turns each step's sum into +0.
TEST(OneRowEquivalence, NegativeZeroProductsComeOutAsTheTreeMakesThem) {
  ArrayConfig a = preset("small");
  ConvJob job;
  job.layer = "dw/g0";
  job.shape = ConvShape{1, 1, 6, 6, 1, 3, 3, 1, 1};
  Tensor in({1, 1, 6, 6}), w({1, 1, 3, 3});
  for (auto& v : in.values()) v = 0.0f;
  for (auto& v : w.values()) v = -1.0f;
  const PeFaults none;
  const JobResult fast = make_engine("fast", a, none)->run(job, in, w, 0);
  const JobResult cycle = make_engine("cycle", a, none)->run(job, in, w, 0);
  EXPECT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0);
  for (float v : fast.output.values()) EXPECT_FALSE(std::signbit(v));
}

// A transient inside the job: its chunks take the chunk path (the flipped chunk the
// general one); images split over threads: the same bits.
TEST(OneRowEquivalence, TransientsInTheJobAndThreadsGiveTheCycleModelsBits) {
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16}) {
    ArrayConfig a = preset("small");
    a.datatype = type;
    ConvJob job;
    job.layer = "stem";
    job.shape = ConvShape{7, 1, 20, 20, 12, 3, 3, 1, 1};  // 2800 positions: 22 chunks; two column groups; 302 k MACs (split)
    const long long cycles = closed_form_timing(job.shape, a).cycles;
    Rng rng(static_cast<std::uint64_t>(type) + 5);
    Tensor in = random_tensor({7, 1, 20, 20}, rng), w = random_tensor({12, 1, 3, 3}, rng);
    sprinkle(in, rng, 8);
    std::vector<HardwareFault> faults_list{{FaultSite::input, 0, 0, bit_width(type) - 3, FaultKind::stuck_at_0, -1},
                                           {FaultSite::psum, 0, 1, 3, FaultKind::stuck_at_1, -1}};
    for (bool transient : {false, true}) {
      if (transient)
        faults_list.push_back({FaultSite::product, 0, 3, site_bit_width(FaultSite::product, type) - 12,
                               FaultKind::transient, cycles / 2});
      const PeFaults faults(a, faults_list);
      const JobResult cycle = make_engine("cycle", a, faults)->run(job, in, w, 0);
      for (int threads : {1, 2}) {
        const JobResult fast = make_engine("fast", a, faults, threads)->run(job, in, w, 0);
        EXPECT_EQ(testing::count_bit_differences(cycle.output, fast.output), 0)
            << to_string(type) << " " << threads << " threads" << (transient ? ", a transient" : "");
      }
    }
  }
}

// A region's planes of a one-row job (the chunk path) equal the whole job's (the plane path).
TEST(OneRowEquivalence, RegionPlanesEqualTheWholeJob) {
  ArrayConfig a = preset("small");
  ConvJob job;
  job.layer = "dw/g3";
  job.shape = ConvShape{4, 1, 15, 15, 1, 3, 3, 2, 1};
  Rng rng(17);
  Tensor in = random_tensor({4, 1, 15, 15}, rng), w = random_tensor({1, 1, 3, 3}, rng);
  sprinkle(in, rng, 5);
  const PeFaults faults(a, {{FaultSite::input, 0, 0, 29, FaultKind::stuck_at_1, -1}});
  const Mapping mapping(job.shape, a, a.swizzle, 0);
  const Tensor whole = array_conv(job, a, mapping, faults, ErrorPattern(), in, w);
  ConvRegion region;
  region.images = {0, 1, 0, 1};
  Tensor out({4, 1, 8, 8}, 7.0f);
  array_conv_region(job, a, mapping, faults, ErrorPattern(), in, w, region, out);
  for (int n = 0; n < 4; ++n)
    for (int i = 0; i < 64; ++i) {
      const std::size_t at = static_cast<std::size_t>(n) * 64 + i;
      if (region.images[n])
        EXPECT_EQ(float_bits(out[at]), float_bits(whole[at])) << n << " " << i;
      else
        EXPECT_EQ(out[at], 7.0f);
    }
}

// Stuck accumulator entries on a one-row job (a stem, several columns, entries at several
// slots; the fault-free columns beside them) give the cycle model's bits, in every
// floating-point format and on each vector ISA: the whole job and a region of it by
// planes (lanes that skip each plane row's padding), and with a transient elsewhere in the
// job by chunks (the flipped chunk through the general path).
TEST(OneRowEquivalence, StuckAccumulatorEntriesGiveTheCycleModelsBitsOnBothPaths) {
  const std::vector<cs::VectorIsa> isas = testing::vector_isas();
  const cs::VectorIsa was = cs::vector_isa();
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16})
    for (bool transient : {false, true}) {
      ArrayConfig a = preset("small");
      a.datatype = type;
      ConvJob job;
      job.layer = "stem";
      job.shape = ConvShape{3, 1, 13, 11, 6, 5, 5, 1, 2};  // 143 positions an image: entries across images and chunks
      Rng rng(static_cast<std::uint64_t>(type) + 31);
      Tensor in = random_tensor({3, 1, 13, 11}, rng), w = random_tensor({6, 1, 5, 5}, rng);
      sprinkle(in, rng, 9);
      std::vector<HardwareFault> list{{FaultSite::accumulator, 0, 1, 30, FaultKind::stuck_at_1, -1},
                                      {FaultSite::accumulator, 5, 1, 3, FaultKind::stuck_at_0, -1},
                                      {FaultSite::accumulator, 15, 4, 31, FaultKind::stuck_at_1, -1},
                                      {FaultSite::psum, 0, 4, 22, FaultKind::stuck_at_1, -1}};
      if (transient)
        list.push_back({FaultSite::psum, 0, 5, 29, FaultKind::transient, closed_form_timing(job.shape, a).cycles / 2});
      const PeFaults faults(a, list), healthy;
      const Mapping mapping(job.shape, a, a.swizzle, 0);
      const Tensor want = make_engine("cycle", a, faults)->run(job, in, w, 0).output;
      const Tensor fault_free = make_engine("fast", a, healthy)->run(job, in, w, 0).output;
      ConvRegion region;
      region.images = {0, 1, 1};
      region.columns.assign(static_cast<std::size_t>(a.atomic_k), 0);
      region.columns[1] = region.columns[4] = 1;  // the stuck columns (every plane that differs but the transient's)
      const ErrorPattern pattern = map_transients(job, a, faults, 0);
      for (const cs::VectorIsa isa : isas) {
        cs::set_vector_isa(isa);
        const std::string what = to_string(type) + (isa == cs::VectorIsa::avx2 ? " AVX2" : " AVX-512") +
                                 (transient ? ", a transient" : "");
        const Tensor whole = make_engine("fast", a, faults)->run(job, in, w, 0).output;
        EXPECT_EQ(testing::count_bit_differences(whole, want), 0) << what << ", the whole job";
        Tensor part = fault_free;
        array_conv_region(job, a, mapping, faults, pattern, in, w, region, part);
        if (!transient) {
          EXPECT_EQ(testing::count_bit_differences(part, want), 0) << what << ", a region";
        }
      }
      cs::set_vector_isa(was);
      EXPECT_GT(testing::count_bit_differences(fault_free, want), 50) << to_string(type);  // the entries show
    }
}

// The lanes' entry masks are kept from image to image while the plane's phase in the stripe
// repeats (8 x 8 = 64 positions: four stripes), and made again for the next job, with its
// own faults on the same column, and for another phase (7 x 7).
TEST(OneRowEquivalence, StuckEntryMasksFollowTheJobAndThePlanesPhase) {
  ArrayConfig a = preset("small");
  Rng rng(41);
  for (int side : {8, 7}) {
    ConvJob job;
    job.layer = "stem";
    job.shape = ConvShape{3, 1, side, side, 2, 3, 3, 1, 1};
    Tensor in = random_tensor({3, 1, side, side}, rng), w = random_tensor({2, 1, 3, 3}, rng);
    for (int slot : {0, 5, 5, 12}) {  // one job after another on this thread
      const PeFaults faults(a, {{FaultSite::accumulator, slot, 1, 30, FaultKind::stuck_at_1, -1}});
      const Tensor want = make_engine("cycle", a, faults)->run(job, in, w, 0).output;
      const Tensor got = make_engine("fast", a, faults)->run(job, in, w, 0).output;
      EXPECT_EQ(testing::count_bit_differences(got, want), 0) << side << " x " << side << ", slot " << slot;
    }
  }
}

// Stuck-ats on the idle rows of a one-row job's column (an idle PE's product is then a
// constant leaf of its tree: +0, -0, a power of two, a denormal), alone, beside a fault on
// the busy PE, and two in one column (the general path), give the cycle model's bits in
// every floating-point format and on each vector ISA.
TEST(OneRowEquivalence, StuckAtsOnIdleRowsGiveTheCycleModelsBits) {
  const std::vector<cs::VectorIsa> isas = testing::vector_isas();
  const cs::VectorIsa was = cs::vector_isa();
  int changed = 0;
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16}) {
    ArrayConfig a = preset("small");
    a.datatype = type;
    ConvJob job;
    job.layer = "stem";
    job.shape = ConvShape{2, 1, 7, 6, 3, 3, 3, 1, 1};
    const Mapping mapping(job.shape, a, a.swizzle, 0);
    const int busy = mapping.row_of(0, 0), col = mapping.col_of(1), idle = (busy + 3) % a.atomic_c;
    Rng rng(static_cast<std::uint64_t>(type) + 77);
    Tensor in = random_tensor({2, 1, 7, 6}, rng), w = random_tensor({3, 1, 3, 3}, rng);
    sprinkle(in, rng, 7);
    const PeFaults healthy;
    const Tensor fault_free = make_engine("fast", a, healthy)->run(job, in, w, 0).output;
    for (FaultSite site : {FaultSite::weight, FaultSite::input, FaultSite::product})
      for (FaultKind kind : {FaultKind::stuck_at_0, FaultKind::stuck_at_1})
        for (int top : {1, 2, 9, 10, 32})  // bits counted from the word's top: sign, exponent, mantissa
          for (int beside : {0, 1, 2}) {  // alone, with a fault on the busy PE, with another idle one
            const int bit = std::max(0, site_bit_width(site, type) - top);
            std::vector<HardwareFault> list{{site, idle, col, bit, kind, -1}};
            if (beside == 1) list.push_back({FaultSite::input, busy, col, bit_width(type) - 4, FaultKind::stuck_at_1, -1});
            if (beside == 2) list.push_back({FaultSite::product, (idle + 1) % a.atomic_c == busy ? (idle + 2) % a.atomic_c
                                                                                             : (idle + 1) % a.atomic_c,
                                              col, 3, FaultKind::stuck_at_1, -1});
            const PeFaults faults(a, list);
            const Tensor want = make_engine("cycle", a, faults)->run(job, in, w, 0).output;
            for (const cs::VectorIsa isa : isas) {
              cs::set_vector_isa(isa);
              const Tensor got = make_engine("fast", a, faults)->run(job, in, w, 0).output;
              EXPECT_EQ(testing::count_bit_differences(got, want), 0)
                  << to_string(type) << " " << describe(list[0]) << " beside " << beside
                  << (isa == cs::VectorIsa::avx2 ? " AVX2" : " AVX-512");
            }
            cs::set_vector_isa(was);
            changed += testing::count_bit_differences(fault_free, want) > 0;
          }
  }
  EXPECT_GT(changed, 30);
}

}  // namespace
}  // namespace accsim
