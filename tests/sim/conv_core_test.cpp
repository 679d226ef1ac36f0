#include "sim/conv_core.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "arch/input_error.h"
#include "arch/job_timing.h"
#include "kernels/reference_conv.h"
#include "sim/cycle_engine.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::count_bit_differences;
using testing::preset;
using testing::random_tensor;

ConvJob make_job(int n, int c, int h, int w, int k, int r, int stride, int pad) {
  ConvJob job;
  job.layer = "test";
  job.shape = {n, c, h, w, k, r, r, stride, pad};
  return job;
}

struct Operands {
  Tensor input, weights;
};

Operands random_operands(const ConvJob& job, Rng& rng, float lo = -1.0f) {
  const ConvShape& s = job.shape;
  return {random_tensor({s.n, s.c, s.h, s.w}, rng, lo, 1.0f), random_tensor({s.k, s.c, s.r, s.s}, rng, lo, 1.0f)};
}

JobResult run_cycle(const ArrayConfig& a, const std::vector<HardwareFault>& faults, const ConvJob& job,
                    const Operands& ops, long long start = 0) {
  PeFaults pf(a, faults);
  CycleEngine engine(a, pf);
  return engine.run(job, ops.input, ops.weights, start);
}

// Random shapes that cover C and K not multiples of the array, stride 2 and padding.
ConvJob random_job(Rng& rng) {
  const int r = 1 + static_cast<int>(rng.below(3)) * 2 - (rng.below(4) == 0 ? 1 : 0);  // 1,3,5 and sometimes 0..4
  const int kernel = std::max(1, r);
  const int pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(kernel / 2 + 1)));
  const int h = kernel + static_cast<int>(rng.below(9));
  return make_job(1 + static_cast<int>(rng.below(2)), 1 + static_cast<int>(rng.below(80)), h,
                  kernel + static_cast<int>(rng.below(9)), 1 + static_cast<int>(rng.below(70)), kernel,
                  1 + static_cast<int>(rng.below(2)), pad);
}

TEST(ConvCore, FaultFreeOutputMatchesNaiveReferenceOnRandomShapesBothPresets) {
  Rng rng(2024);
  for (const char* name : {"small", "large"}) {
    ArrayConfig a = preset(name);
    for (int t = 0; t < 12; ++t) {
      ConvJob job = random_job(rng);
      SCOPED_TRACE(std::string(name) + " case " + std::to_string(t) + " c=" + std::to_string(job.shape.c) +
                   " k=" + std::to_string(job.shape.k) + " stride=" + std::to_string(job.shape.stride) +
                   " pad=" + std::to_string(job.shape.pad));
      Operands ops = random_operands(job, rng);
      JobResult got = run_cycle(a, {}, job, ops);
      Tensor want = reference_conv2d(job.shape, ops.input, ops.weights);
      ASSERT_EQ(got.output.shape(), want.shape());
      const double terms = static_cast<double>(job.shape.c) * job.shape.r * job.shape.s;
      for (std::size_t i = 0; i < want.size(); ++i)
        ASSERT_NEAR(got.output[i], want[i], 4e-7 * terms + 1e-6) << "element " << i;
    }
  }
}

TEST(ConvCore, EverySwizzlePolicyComputesTheSameConvolution) {
  Rng rng(7);
  ConvJob job = make_job(1, 19, 7, 6, 21, 3, 1, 1);
  Operands ops = random_operands(job, rng);
  Tensor want = reference_conv2d(job.shape, ops.input, ops.weights);
  for (const auto& policy : swizzle_policy_names()) {
    ArrayConfig a = preset("small");
    a.swizzle = parse_swizzle_policy(policy);
    JobResult got = run_cycle(a, {}, job, ops);
    for (std::size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got.output[i], want[i], 1e-4) << policy;
  }
}

TEST(ConvCore, CycleCountsEqualTheClosedFormOnRandomShapesAndArrays) {
  Rng rng(99);
  for (int t = 0; t < 40; ++t) {
    ArrayConfig a = preset(t % 2 ? "large" : "small");
    a.datatype = static_cast<DataType>((t / 2) % 4);  // weight loads depend on bytes per element
    a.stripe_length = 1 + static_cast<int>(rng.below(40));
    a.weight_load_bytes_per_cycle = 1 + static_cast<int>(rng.below(600));
    a.mac_pipeline_depth = static_cast<int>(rng.below(9));
    ConvJob job = random_job(rng);
    Operands ops = random_operands(job, rng);
    JobResult got = run_cycle(a, {}, job, ops);
    JobTiming want = closed_form_timing(job.shape, a);
    EXPECT_EQ(got.timing.cycles, want.cycles) << "case " << t << " " << to_string(a.datatype);
    EXPECT_EQ(got.timing.stall_cycles, want.stall_cycles) << "case " << t;
    EXPECT_EQ(got.timing.atomic_ops, want.atomic_ops) << "case " << t;
    EXPECT_EQ(got.timing.weight_load_cycles, want.weight_load_cycles) << "case " << t;
    EXPECT_EQ(got.timing.stripes, want.stripes) << "case " << t;
    EXPECT_EQ(got.timing.macs, job.shape.macs());
    EXPECT_NEAR(got.timing.utilisation, want.utilisation, 1e-12);
  }
}

TEST(ConvCore, WeightLoadsReadTheFormatsBytesPerElement) {
  // 8x8 weights per stripe at 32 B/cycle: fp32 8 cycles, fp16 and bf16 4, int8 2.
  ConvJob job = make_job(1, 8, 8, 8, 8, 3, 1, 1);  // 64 pixels: 4 full tiles of 16
  Rng rng(5);
  const Operands ops = random_operands(job, rng);
  const std::pair<DataType, int> cases[] = {
      {DataType::fp32, 8}, {DataType::fp16, 4}, {DataType::bf16, 4}, {DataType::int8, 2}};
  for (const auto& [type, per_stripe] : cases) {
    ArrayConfig a = preset("small");
    a.datatype = type;
    const JobResult got = run_cycle(a, {}, job, ops);
    EXPECT_EQ(got.timing.weight_load_cycles, 9LL * 4 * per_stripe) << to_string(type);  // 9 (r,s) x 4 tiles
    EXPECT_EQ(got.timing.stall_cycles, per_stripe) << to_string(type);  // only the first load shows
    EXPECT_EQ(got.timing, closed_form_timing(job.shape, a)) << to_string(type);
  }
}

TEST(ConvCore, UtilisationIsFullWhenWeightLoadsHideAndTheArrayIsFilled) {
  ArrayConfig a = preset("small");
  a.mac_pipeline_depth = 0;
  a.weight_load_bytes_per_cycle = 1 << 16;  // one-cycle loads
  a.stripe_length = 16;
  ConvJob job = make_job(1, 16, 10, 10, 16, 3, 1, 1);  // 100 pixels: tiles of 16 except the last
  Rng rng(1);
  JobResult got = run_cycle(a, {}, job, random_operands(job, rng));
  // Every stripe hides its successor's one-cycle load, only the first load is exposed.
  EXPECT_EQ(got.timing.stall_cycles, 1);
  EXPECT_EQ(got.timing.cycles, job.shape.macs() / a.pes() + 1);
}

TEST(ConvCore, WeightStuckAtChangesExactlyTheOutputChannelsOfItsColumn) {
  ArrayConfig a = preset("small");
  ConvJob job = make_job(1, 20, 6, 6, 19, 3, 1, 0);  // C, K not multiples of 8
  Rng rng(5);
  Operands ops = random_operands(job, rng, 0.1f);  // nonzero inputs: every product is used
  JobResult golden = run_cycle(a, {}, job, ops);
  for (int row : {0, 3}) {
    for (int col : {1, 2}) {
      HardwareFault f{FaultSite::weight, row, col, 30, FaultKind::stuck_at_1};
      JobResult faulty = run_cycle(a, {f}, job, ops);
      const int pq = job.shape.p() * job.shape.q();
      for (int oc = 0; oc < job.shape.k; ++oc)
        for (int i = 0; i < pq; ++i) {
          const float g = golden.output[oc * pq + i], x = faulty.output[oc * pq + i];
          if (oc % a.atomic_k == col)
            EXPECT_FALSE(testing::same_bits(g, x)) << "oc " << oc << " should be corrupted";
          else
            EXPECT_TRUE(testing::same_bits(g, x)) << "oc " << oc << " should be intact";
        }
    }
  }
}

TEST(ConvCore, StuckAtMatchingEveryStoredBitChangesNothing) {
  ArrayConfig a = preset("large");
  ConvJob job = make_job(2, 70, 5, 5, 40, 3, 2, 1);
  Rng rng(11);
  Operands ops = random_operands(job, rng, 0.0f);  // weights and inputs >= 0: sign bit always 0
  JobResult golden = run_cycle(a, {}, job, ops);
  std::vector<HardwareFault> faults{{FaultSite::weight, 5, 7, 31, FaultKind::stuck_at_0},
                                    {FaultSite::input, 63, 31, 31, FaultKind::stuck_at_0},
                                    {FaultSite::product, 0, 0, 31, FaultKind::stuck_at_0}};
  JobResult faulty = run_cycle(a, faults, job, ops);
  EXPECT_EQ(count_bit_differences(golden.output, faulty.output), 0);
  EXPECT_EQ(golden.timing, faulty.timing);
}

// Finds the stripe running at job cycle t by replaying the schedule's timing.
struct StripeAt {
  Stripe stripe;
  bool found = false;
};
StripeAt stripe_at(const ConvShape& s, const ArrayConfig& a, long long t) {
  Schedule sched(s, a);
  long long start = sched.load_cycles(sched.stripe(0).group, sched.stripe(0).block);
  for (long long i = 0; i < sched.stripes(); ++i) {
    Stripe st = sched.stripe(i);
    if (t >= start && t < start + st.length) return {st, true};
    start += st.length;
    if (i + 1 < sched.stripes()) {
      Stripe nx = sched.stripe(i + 1);
      start += std::max<long long>(0, sched.load_cycles(nx.group, nx.block) - st.length);
    }
  }
  return {};
}

TEST(ConvCore, WeightTransientChangesOnlyOutputsOfTheStripeContainingItsCycle) {
  ArrayConfig a = preset("small");
  ConvJob job = make_job(1, 8, 12, 12, 16, 3, 1, 1);
  Rng rng(3);
  Operands ops = random_operands(job, rng, 0.1f);
  JobResult golden = run_cycle(a, {}, job, ops);
  const int pq = job.shape.p() * job.shape.q();
  int hits = 0;
  for (long long t : {9LL, 100LL, 777LL, 1500LL, 2590LL}) {  // the job runs 2600 cycles
    StripeAt at = stripe_at(job.shape, a, t);
    ASSERT_TRUE(at.found);
    const int row = 2, col = 6;
    const long long start = 12345;  // transients are in run cycles: the job starts later
    HardwareFault f{FaultSite::weight, row, col, 30, FaultKind::transient, start + t};
    JobResult faulty = run_cycle(a, {f}, job, ops, start);
    const int oc_hit = at.stripe.group * a.atomic_k + col;
    long long changed = 0;
    for (int oc = 0; oc < job.shape.k; ++oc)
      for (int i = 0; i < pq; ++i) {
        if (testing::same_bits(golden.output[oc * pq + i], faulty.output[oc * pq + i])) continue;
        ++changed;
        EXPECT_EQ(oc, oc_hit) << "t=" << t;
        EXPECT_GE(i, at.stripe.first_pixel) << "t=" << t;
        EXPECT_LT(i, at.stripe.first_pixel + at.stripe.length) << "t=" << t;
      }
    hits += changed > 0;
  }
  EXPECT_GE(hits, 4);  // a flip can be hidden by a zero input (padding) only rarely
}

TEST(ConvCore, CombinationalTransientCorruptsOneOutputAndStorageTransientPersists) {
  ArrayConfig a = preset("small");
  ConvJob job = make_job(1, 8, 8, 8, 8, 1, 1, 0);  // 1x1 conv: one stripe per tile
  Rng rng(4);
  Operands ops = random_operands(job, rng, 0.1f);
  JobResult golden = run_cycle(a, {}, job, ops);
  const long long t = 40;  // within the 3rd stripe (first load takes 8 cycles)
  StripeAt at = stripe_at(job.shape, a, t);
  ASSERT_TRUE(at.found);
  // product: one PE, one cycle -> one output element.
  JobResult p = run_cycle(a, {{FaultSite::product, 1, 4, 30, FaultKind::transient, t}}, job, ops);
  EXPECT_EQ(count_bit_differences(golden.output, p.output), 1);
  // psum: one column, one cycle -> one output element.
  JobResult s = run_cycle(a, {{FaultSite::psum, 0, 4, 30, FaultKind::transient, t}}, job, ops);
  EXPECT_EQ(count_bit_differences(golden.output, s.output), 1);
  // input register of one PE: one cycle -> one element.
  JobResult in = run_cycle(a, {{FaultSite::input, 3, 4, 30, FaultKind::transient, t}}, job, ops);
  EXPECT_EQ(count_bit_differences(golden.output, in.output), 1);
  // weight register: rest of the stripe from cycle t.
  JobResult w = run_cycle(a, {{FaultSite::weight, 3, 4, 30, FaultKind::transient, t}}, job, ops);
  long long stripe_start = t;
  while (stripe_at(job.shape, a, stripe_start - 1).found &&
         stripe_at(job.shape, a, stripe_start - 1).stripe.first_pixel == at.stripe.first_pixel)
    --stripe_start;
  EXPECT_EQ(count_bit_differences(golden.output, w.output), at.stripe.length - (t - stripe_start));
}

TEST(ConvCore, AccumulatorStuckAtHitsEveryOutputOfItsSlotAndColumn) {
  ArrayConfig a = preset("small");
  ConvJob job = make_job(1, 5, 9, 9, 8, 3, 1, 1);  // 81 pixels, 16-slot tiles
  Rng rng(8);
  Operands ops = random_operands(job, rng, 0.1f);
  JobResult golden = run_cycle(a, {}, job, ops);
  const int slot = 4, col = 3;
  // Sign bit forced on sums of positive products: every entry of (slot, col) changes.
  JobResult f = run_cycle(a, {{FaultSite::accumulator, slot, col, 31, FaultKind::stuck_at_1}}, job, ops);
  const int pq = 81;
  for (int oc = 0; oc < 8; ++oc)
    for (int i = 0; i < pq; ++i) {
      bool hit = oc == col && i % a.stripe_length == slot;
      EXPECT_EQ(!testing::same_bits(golden.output[oc * pq + i], f.output[oc * pq + i]), hit) << oc << "," << i;
    }
}

TEST(ConvCore, TransientOutsideTheJobWindowChangesNothing) {
  ArrayConfig a = preset("small");
  ConvJob job = make_job(1, 8, 6, 6, 8, 3, 1, 1);
  Rng rng(12);
  Operands ops = random_operands(job, rng);
  JobResult golden = run_cycle(a, {}, job, ops, 1000);
  std::vector<HardwareFault> faults{{FaultSite::weight, 0, 0, 30, FaultKind::transient, 999},
                                    {FaultSite::accumulator, 0, 0, 30, FaultKind::transient, 10},
                                    {FaultSite::psum, 0, 0, 30, FaultKind::transient, 1000 + golden.timing.cycles}};
  JobResult f = run_cycle(a, faults, job, ops, 1000);
  EXPECT_EQ(count_bit_differences(golden.output, f.output), 0);
}

TEST(ConvCore, ManyJobsOfDifferentShapesRunInOneElaboration) {
  Rng rng(13);
  for (int t = 0; t < 6; ++t) {
    ArrayConfig a = preset(t % 2 ? "small" : "large");
    ConvJob job = random_job(rng);
    Operands ops = random_operands(job, rng);
    JobResult first = run_cycle(a, {}, job, ops);
    JobResult again = run_cycle(a, {}, job, ops);
    EXPECT_EQ(count_bit_differences(first.output, again.output), 0);
    EXPECT_EQ(first.timing, again.timing);
  }
}

TEST(ConvCore, AJobCbufCannotHoldIsRejectedAndThePipelineRunsTheNextOne) {
  ArrayConfig a = preset("small");
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  Rng rng(5);
  // One output row needs 3 input rows of 64 channels x 2048 pixels x 4 bytes = 1.5 MiB > CBUF.
  ConvJob huge = make_job(1, 64, 3, 2048, 8, 3, 1, 0);
  Operands huge_ops = random_operands(huge, rng);
  EXPECT_THROW(run_cycle(a, {}, huge, huge_ops), InputError);
  // Rejected before the simulation resumed: no unit holds a half-run job.
  ConvJob job = make_job(1, 20, 9, 9, 12, 3, 1, 1);
  Operands ops = random_operands(job, rng);
  const JobResult r = run_cycle(a, {}, job, ops);
  EXPECT_EQ(r.timing, closed_form_timing(job.shape, a));
  EXPECT_GT(r.timing.dram_read_bytes, 0);
}

TEST(ConvCore, MismatchedOperandsAreRejected) {
  ArrayConfig a = preset("small");
  ConvJob job = make_job(1, 4, 5, 5, 4, 3, 1, 0);
  Operands ops{Tensor({1, 3, 5, 5}), Tensor({4, 4, 3, 3})};
  EXPECT_THROW(run_cycle(a, {}, job, ops), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
