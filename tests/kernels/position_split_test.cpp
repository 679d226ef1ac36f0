// Backward-weight jobs (few output positions, thousands of steps) on two threads split
// by output positions (kernels/float_conv/positions.h), their slot kernels a block of
// steps at a time, give the bits of one thread and of the lane kernels (no slot
// kernels): LeNet-5 conv1's backward-weight job and smaller random ones, every
// floating-point format, fault-free and with a weight-register stuck-at (the training
// benchmark's), input and psum stuck-ats (the masked slot kernels), an accumulator
// stuck-at and a transient psum flip (both leave the job to the column split), on the
// worker pool and on a task lane.
#include <gtest/gtest.h>

#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "kernels/slot_sums.h"
#include "kernels/task_lane.h"
#include "arch/job_timing.h"
#include "test_util.h"

namespace accsim {
namespace {

using slot_sums::SlotPolicy;

struct PolicyGuard {
  ~PolicyGuard() { slot_sums::set_slot_policy(SlotPolicy::automatic); }
};

struct Case {
  ArrayConfig array = testing::preset("small");
  ConvJob job;
  std::vector<HardwareFault> faults;
  Tensor in, w;
};

// `bit` of a 32-bit register, scaled to the site's width in the case's format (bit 28 of a
// 16-bit weight register is bit 14: the exponent's top bit in fp16 and bf16).
HardwareFault fault(const Case& c, FaultSite site, FaultKind kind, int row, int col, int bit) {
  HardwareFault f;
  f.site = site, f.kind = kind, f.row = row, f.col = col;
  f.bit = bit * site_bit_width(site, c.array.datatype) / 32;
  return f;
}

// The faults of case `i`: none, then one each of the kinds the header names.
std::vector<HardwareFault> faults_of(int i, const Case& c) {
  switch (i % 6) {
    case 1: return {fault(c, FaultSite::weight, FaultKind::stuck_at_0, 0, 0, 28)};
    case 2: return {fault(c, FaultSite::input, FaultKind::stuck_at_1, 3, 2, 20)};
    case 3: return {fault(c, FaultSite::psum, FaultKind::stuck_at_1, 0, 1, 24)};
    case 4: return {fault(c, FaultSite::accumulator, FaultKind::stuck_at_1, 2, 4, 27)};
    case 5: {
      HardwareFault f = fault(c, FaultSite::psum, FaultKind::transient, 0, 3, 26);
      f.cycle = closed_form_timing(c.job.shape, c.array).cycles / 3;
      return {f};
    }
    default: return {};
  }
}

// LeNet-5 conv1's backward-weight job at batch 64 (case 0..5), or a random smaller one.
Case make_case(int i, std::uint64_t seed) {
  Rng rng(seed);
  Case c;
  c.array.datatype = static_cast<DataType>(i / 6 % 3);  // fp32 (LeNet's cases), fp16, bf16
  c.job.layer = "bw";
  c.job.kind = JobKind::backward_weight;
  c.job.swizzle_seed = rng.next();
  ConvShape& s = c.job.shape;
  if (i < 6) {
    s.n = 1, s.c = 64, s.h = s.w = 28, s.k = 6, s.r = s.s = 24;
  } else {
    s.n = 1 + static_cast<int>(rng.below(2)), s.c = 4 + static_cast<int>(rng.below(30));
    s.k = 1 + static_cast<int>(rng.below(20));
    s.r = s.s = 8 + static_cast<int>(rng.below(8));
    s.h = s.r + 3 + static_cast<int>(rng.below(3)), s.w = s.s + 3 + static_cast<int>(rng.below(3));
  }
  c.faults = faults_of(i, c);
  c.in = testing::random_tensor({s.n, s.c, s.h, s.w}, rng);
  c.w = testing::random_tensor({s.k, s.c, s.r, s.s}, rng);
  return c;
}

Tensor run(const Case& c, SlotPolicy policy, int threads) {
  slot_sums::set_slot_policy(policy);
  const PeFaults faults(c.array, c.faults);
  const Mapping mapping(c.job.shape, c.array, c.array.swizzle, c.job.swizzle_seed);
  const ErrorPattern pattern = map_transients(c.job, c.array, faults, 0);
  return array_conv(c.job, c.array, mapping, faults, pattern, c.in, c.w, threads);
}

std::string describe_case(const Case& c, int i) {
  std::string what = "case " + std::to_string(i) + " " + to_string(c.array.datatype);
  for (const auto& f : c.faults) what += " [" + describe(f) + "]";
  return what;
}

// Cases 0 .. count - 1 on two threads (beside a lane: `lane`) against one thread and
// against the lane kernels on one thread.
void expect_same_bits(int count, bool lane) {
  PolicyGuard guard;
  for (int i = 0; i < count; ++i) {
    const Case c = make_case(i, 0xb5b1 + static_cast<std::uint64_t>(i));
    const Tensor lanes = run(c, SlotPolicy::never, 1);
    const Tensor one = run(c, SlotPolicy::automatic, 1);
    Tensor two;
    {
      TaskLane beside(lane);
      two = run(c, SlotPolicy::automatic, 2);
    }
    ASSERT_EQ(testing::count_bit_differences(lanes, one), 0) << describe_case(c, i);
    ASSERT_EQ(testing::count_bit_differences(one, two), 0) << describe_case(c, i);
  }
}

TEST(PositionSplit, BackwardWeightJobsGiveOneThreadsBits) { expect_same_bits(24, false); }

TEST(PositionSplit, BackwardWeightJobsBesideALaneGiveOneThreadsBits) { expect_same_bits(12, true); }

}  // namespace
}  // namespace accsim
