// ABFT and duplication: no false alarms on a healthy array, transients detected and
// corrected by re-execution, permanent faults detected, and the cycles they cost.
#include "faultmodels/checked_engine.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "arch/job_timing.h"
#include "arch/mapping.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

struct Operands {
  ConvJob job;
  Tensor x, w;
};

Operands operands(std::uint64_t seed) {
  Rng rng(seed);
  Operands o;
  o.job.layer = "l";
  o.job.shape = ConvShape{2, 6 + static_cast<int>(rng.below(10)), 9, 9, 5 + static_cast<int>(rng.below(10)), 3, 3, 1, 1};
  const ConvShape& s = o.job.shape;
  o.x = random_tensor({s.n, s.c, s.h, s.w}, rng);
  o.w = random_tensor({s.k, s.c, s.r, s.s}, rng);
  return o;
}

HardwareFault fault(FaultSite site, int row, int col, int bit, FaultKind kind, long long cycle = -1) {
  HardwareFault f;
  f.site = site, f.row = row, f.col = col, f.bit = bit, f.kind = kind, f.cycle = cycle;
  return f;
}

TEST(CheckedEngine, NeitherCheckRaisesAFalseAlarmOnAHealthyArrayAndOutputsAreUnchanged) {
  const ArrayConfig a = preset("small");
  const PeFaults none;
  FastEngine inner(a, none);
  for (CheckKind kind : {CheckKind::abft, CheckKind::duplicate}) {
    CheckedEngine checked(inner, a, kind);
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      const Operands o = operands(seed);
      const JobResult plain = inner.run(o.job, o.x, o.w, 0);
      const JobResult r = checked.run(o.job, o.x, o.w, 0);
      ASSERT_EQ(testing::count_bit_differences(plain.output, r.output), 0) << seed;
    }
    EXPECT_EQ(checked.stats().detections, 0);
    EXPECT_EQ(checked.stats().jobs, 30);
    EXPECT_GT(checked.stats().overhead(), 0.0);
  }
}

TEST(CheckedEngine, ATransientIsDetectedAndCorrectedByReexecution) {
  const ArrayConfig a = preset("small");
  for (CheckKind kind : {CheckKind::abft, CheckKind::duplicate}) {
    int corrected = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const Operands o = operands(seed);
      // An exponent bit of a column sum flips early in the first run.
      const PeFaults faults(a, {fault(FaultSite::psum, 0, 1, 29, FaultKind::transient, 40 + static_cast<long long>(seed))});
      const PeFaults none;
      FastEngine inner(a, faults), healthy(a, none);
      CheckedEngine checked(inner, a, kind);
      const JobResult r = checked.run(o.job, o.x, o.w, 0);
      if (checked.stats().detections == 0) continue;  // the flip hit an idle moment
      EXPECT_EQ(checked.stats().corrected, 1) << seed;
      EXPECT_EQ(testing::count_bit_differences(r.output, healthy.run(o.job, o.x, o.w, 0).output), 0) << seed;
      ++corrected;
    }
    EXPECT_GT(corrected, 10) << (kind == CheckKind::abft ? "abft" : "duplicate");
  }
}

TEST(CheckedEngine, BothDetectAPermanentFaultAndRotatedDuplicatesOutvoteIt) {
  const ArrayConfig a = preset("small");
  const Operands o = operands(3);
  const PeFaults faults(a, {fault(FaultSite::weight, 1, 2, 30, FaultKind::stuck_at_1)}), none;
  FastEngine inner(a, faults), healthy(a, none);
  CheckedEngine abft(inner, a, CheckKind::abft), dup(inner, a, CheckKind::duplicate);
  abft.run(o.job, o.x, o.w, 0);
  const JobResult voted = dup.run(o.job, o.x, o.w, 0);
  EXPECT_EQ(abft.stats().detections, 1);
  EXPECT_EQ(abft.stats().corrected, 0);  // the re-run is just as wrong
  EXPECT_EQ(dup.stats().detections, 1);  // the rotated copy meets other channels
  EXPECT_EQ(dup.stats().corrected, 1);   // and the third copy outvotes the fault
  EXPECT_EQ(testing::count_bit_differences(voted.output, healthy.run(o.job, o.x, o.w, 0).output), 0);
}

TEST(CheckedEngine, DuplicationCostsTwiceTheCyclesAndAbftOneExtraChannel) {
  const ArrayConfig a = preset("small");
  const PeFaults none;
  FastEngine inner(a, none);
  CheckedEngine dup(inner, a, CheckKind::duplicate), abft(inner, a, CheckKind::abft);
  Operands o = operands(5);
  o.job.shape.k = 8;  // the checksum channel opens a second column group
  Rng rng(1);
  o.w = random_tensor({8, o.job.shape.c, 3, 3}, rng);
  const long long base = closed_form_timing(o.job.shape, a).cycles;
  EXPECT_EQ(dup.run(o.job, o.x, o.w, 0).timing.cycles, 2 * base);
  ConvShape nine = o.job.shape;
  nine.k = 9;
  EXPECT_EQ(abft.run(o.job, o.x, o.w, 0).timing.cycles, closed_form_timing(nine, a).cycles);
  EXPECT_NEAR(dup.stats().overhead(), 1.0, 1e-12);
}

// A job of K output channels on `a`, for the duplicate-vote tests.
Operands operands_with_k(int K, std::uint64_t seed) {
  Rng rng(seed);
  Operands o;
  o.job.layer = "l";
  o.job.swizzle_seed = seed;
  o.job.shape = ConvShape{2, 8, 6, 6, K, 3, 3, 1, 1};  // every PE row busy
  const ConvShape& s = o.job.shape;
  o.x = random_tensor({s.n, s.c, s.h, s.w}, rng);
  o.w = random_tensor({s.k, s.c, s.r, s.s}, rng);
  return o;
}

ArrayConfig with_columns(ArrayConfig a, int atomic_k, SwizzlePolicy swizzle = SwizzlePolicy::none) {
  a.atomic_k = atomic_k;
  a.swizzle = swizzle;
  return a;
}

std::vector<SwizzlePolicy> policies_for(int atomic_k) {
  std::vector<SwizzlePolicy> p = {SwizzlePolicy::none, SwizzlePolicy::rotate, SwizzlePolicy::random};
  if ((atomic_k & (atomic_k - 1)) == 0) p.push_back(SwizzlePolicy::xor_);
  return p;
}

// The column that computes channel k in copy `copy`, as the engines place it.
int column_in_copy(const ConvJob& job, const ArrayConfig& a, int k, int copy) {
  ConvShape placed = job.shape;
  placed.k = duplicate_channels(job.shape.k, copy, a.atomic_k);
  const Mapping m(placed, a, a.swizzle, job.swizzle_seed);
  return m.col_of(duplicate_slot(k, copy, a.atomic_k));
}

TEST(CheckedEngine, DuplicateCopiesPutEveryChannelOnPairwiseDifferentColumnsForAnyShape) {
  const ArrayConfig small = preset("small");
  for (int A = 1; A <= 12; ++A)
    for (SwizzlePolicy policy : policies_for(A))
      for (int K = 1; K <= 3 * A + 5; ++K)
        for (std::uint64_t seed : {1u, 7u}) {
          const ArrayConfig a = with_columns(small, A, policy);
          ConvJob job;
          job.shape.k = K;
          job.swizzle_seed = seed;
          const std::string where = "atomic_k " + std::to_string(A) + " K " + std::to_string(K) + " " + to_string(policy);
          for (int copy = 0; copy < 3; ++copy) {
            const int slots = duplicate_channels(K, copy, A);
            ASSERT_GE(slots, K) << where;
            ASSERT_EQ((slots + A - 1) / A, (K + A - 1) / A) << where;  // no extra output-channel group
            std::set<int> taken;
            for (int k = 0; k < K; ++k) {
              const int slot = duplicate_slot(k, copy, A);
              ASSERT_LT(slot, slots) << where;
              ASSERT_EQ(slot / A, k / A) << where;  // same group: same rows, same order of additions
              ASSERT_TRUE(taken.insert(slot).second) << where << ": two channels on slot " << slot;
            }
          }
          EXPECT_EQ(duplicate_channels(K, 0, A), K);
          for (int k = 0; k < K; ++k) {
            EXPECT_EQ(duplicate_slot(k, 0, A), k);
            const int c0 = column_in_copy(job, a, k, 0), c1 = column_in_copy(job, a, k, 1),
                      c2 = column_in_copy(job, a, k, 2);
            if (A >= 2) {
              EXPECT_NE(c0, c1) << where << " channel " << k;
            }
            if (A >= 3) {
              EXPECT_NE(c0, c2) << where << " channel " << k;
              EXPECT_NE(c1, c2) << where << " channel " << k;
            }
          }
        }
}

// Under a swizzle the PE rows, hence the order of a column's additions, change from one
// output-channel group to the next: the copies keep every channel in its group, so a
// healthy swizzled array gives every copy the same bits and raises no false alarm.
TEST(CheckedEngine, DuplicateRaisesNoFalseAlarmOnAHealthySwizzledArray) {
  const ArrayConfig small = preset("small");
  const PeFaults none;
  for (SwizzlePolicy policy : policies_for(8)) {
    const ArrayConfig a = with_columns(small, 8, policy);
    FastEngine inner(a, none);
    CheckedEngine dup(inner, a, CheckKind::duplicate);
    for (int K : {1, 5, 8, 10, 16, 33}) {
      Operands o = operands_with_k(K, 20 + static_cast<std::uint64_t>(K));
      o.job.shape.c = 13;  // two channel blocks, the second partial
      Rng rng(static_cast<std::uint64_t>(K));
      o.x = random_tensor({2, 13, 6, 6}, rng);
      o.w = random_tensor({K, 13, 3, 3}, rng);
      ASSERT_EQ(testing::count_bit_differences(dup.run(o.job, o.x, o.w, 0).output, inner.run(o.job, o.x, o.w, 0).output), 0)
          << to_string(policy) << " K " << K;
    }
    EXPECT_EQ(dup.stats().detections, 0) << to_string(policy);
  }
}

// The bug this replaces: LeNet fc3 (K = 10 on 8 columns) rotated by two modulo K put
// channel 9 back on column 1 in the third copy.
TEST(CheckedEngine, DuplicateThirdCopyMovesAPartialGroupsChannelsOffTheirColumns) {
  EXPECT_EQ(duplicate_slot(9, 1, 8), 10);
  EXPECT_EQ(duplicate_slot(9, 2, 8), 11);
  EXPECT_EQ(duplicate_channels(10, 2, 8), 12);
  EXPECT_EQ(duplicate_slot(7, 1, 8), 0);  // wraps inside its group, not into the next
  EXPECT_EQ(duplicate_channels(1, 2, 8), 3);
  EXPECT_EQ(duplicate_channels(16, 2, 8), 16);
  EXPECT_EQ(duplicate_channels(7, 2, 8), 8);
}

// A permanent high-bit stuck-at on every column in turn, at the weight, product and
// column-sum sites: with atomic_k >= 3 the vote gives the fault-free output bit for bit
// and says detected + corrected whenever the fault met a channel.
TEST(CheckedEngine, DuplicateOutvotesAPermanentFaultOnEveryColumnForEveryShape) {
  const ArrayConfig small = preset("small");
  struct Case {
    int atomic_k;
    SwizzlePolicy swizzle;
  };
  const std::vector<Case> arrays = {{8, SwizzlePolicy::none},   {8, SwizzlePolicy::rotate}, {8, SwizzlePolicy::random},
                                    {4, SwizzlePolicy::none},   {4, SwizzlePolicy::xor_},   {3, SwizzlePolicy::none},
                                    {5, SwizzlePolicy::rotate}};
  int runs = 0, detected = 0;
  for (const Case& c : arrays) {
    const ArrayConfig a = with_columns(small, c.atomic_k, c.swizzle);
    for (int K : {1, 2, 5, 8, 10, 16, 33}) {
      const Operands o = operands_with_k(K, static_cast<std::uint64_t>(K));
      const PeFaults none;
      FastEngine healthy(a, none);
      const Tensor golden = healthy.run(o.job, o.x, o.w, 0).output;
      for (FaultSite site : {FaultSite::weight, FaultSite::product, FaultSite::psum})
        for (int col = 0; col < a.atomic_k; ++col) {
          const PeFaults faults(a, {fault(site, 0, col, 30, FaultKind::stuck_at_1)});
          FastEngine inner(a, faults);
          CheckedEngine dup(inner, a, CheckKind::duplicate);
          const JobResult r = dup.run(o.job, o.x, o.w, 0);
          const std::string where = "atomic_k " + std::to_string(c.atomic_k) + " " + to_string(c.swizzle) + " K " +
                                    std::to_string(K) + " site " + std::to_string(static_cast<int>(site)) + " col " +
                                    std::to_string(col);
          ASSERT_EQ(testing::count_bit_differences(r.output, golden), 0) << where;
          // Does the fault meet a channel in the first two copies? Then they differ.
          bool met = false;
          for (int k = 0; k < K; ++k)
            met = met || column_in_copy(o.job, a, k, 0) == col || column_in_copy(o.job, a, k, 1) == col;
          EXPECT_EQ(dup.stats().detections, met ? 1 : 0) << where;
          EXPECT_EQ(dup.stats().corrected, dup.stats().detections) << where;
          ++runs;
          detected += met;
        }
    }
  }
  EXPECT_GT(detected, runs / 2);
}

// atomic_k 2 or 1: the third copy would meet copy 0's column again, so no vote is taken:
// a permanent fault is at most detected and never claimed corrected.
TEST(CheckedEngine, DuplicateOnFewerThanThreeColumnsDetectsButNeverClaimsCorrection) {
  const ArrayConfig small = preset("small");
  for (int A : {2, 1})
    for (int K : {1, 3, 10}) {
      const ArrayConfig a = with_columns(small, A);
      const Operands o = operands_with_k(K, 11);
      for (int col = 0; col < A; ++col) {
        const PeFaults faults(a, {fault(FaultSite::weight, 0, col, 30, FaultKind::stuck_at_1)});
        FastEngine inner(a, faults);
        CheckedEngine dup(inner, a, CheckKind::duplicate);
        const JobResult r = dup.run(o.job, o.x, o.w, 0);
        const std::string where = "atomic_k " + std::to_string(A) + " K " + std::to_string(K) + " col " +
                                  std::to_string(col);
        EXPECT_EQ(dup.stats().corrected, 0) << where;
        EXPECT_EQ(dup.stats().reexecutions, 0) << where;  // no vote to take
        // atomic_k 1: both copies on the same column, the same wrong bits twice (only
        // transients are detected); atomic_k 2: the copies differ.
        EXPECT_EQ(dup.stats().detections, A == 2 ? 1 : 0) << where;
        ConvShape copy1 = o.job.shape;
        copy1.k = duplicate_channels(K, 1, A);
        EXPECT_EQ(r.timing.cycles, closed_form_timing(o.job.shape, a).cycles + closed_form_timing(copy1, a).cycles)
            << where;
      }
    }
}

// Two permanent faults on neighbouring columns with different effects (an exponent bit,
// the sign): channel 7 meets one in copy 1 (column 0) and the other in copy 2 (column 1)
// and gets three different values, no majority.
TEST(CheckedEngine, DuplicateWithoutAMajorityIsDetectedButNotCorrected) {
  const ArrayConfig a = preset("small");
  const Operands o = operands_with_k(8, 4);
  const PeFaults faults(a, {fault(FaultSite::weight, 0, 0, 30, FaultKind::stuck_at_1),
                            fault(FaultSite::weight, 0, 1, 31, FaultKind::stuck_at_1)});
  FastEngine inner(a, faults);
  CheckedEngine dup(inner, a, CheckKind::duplicate);
  dup.run(o.job, o.x, o.w, 0);
  EXPECT_EQ(dup.stats().detections, 1);
  EXPECT_EQ(dup.stats().reexecutions, 1);
  EXPECT_EQ(dup.stats().corrected, 0);
}

// Each copy costs its own job: a partial last group's copies carry zero kernels on the
// columns the move reaches and pay their weight loads.
TEST(CheckedEngine, DuplicateCopiesCostTheirOwnJobsCycles) {
  const ArrayConfig a = preset("small");
  const Operands o = operands_with_k(10, 5);
  auto cycles_with_k = [&](int k) {
    ConvShape s = o.job.shape;
    s.k = k;
    return closed_form_timing(s, a).cycles;
  };
  const PeFaults none, faults(a, {fault(FaultSite::psum, 0, 1, 30, FaultKind::stuck_at_1)});
  FastEngine healthy(a, none), inner(a, faults);
  CheckedEngine clean(healthy, a, CheckKind::duplicate), dup(inner, a, CheckKind::duplicate);
  EXPECT_EQ(clean.run(o.job, o.x, o.w, 0).timing.cycles, cycles_with_k(10) + cycles_with_k(11));
  EXPECT_EQ(dup.run(o.job, o.x, o.w, 0).timing.cycles, cycles_with_k(10) + cycles_with_k(11) + cycles_with_k(12));
  EXPECT_EQ(dup.stats().base_cycles, cycles_with_k(10));
  EXPECT_EQ(dup.stats().total_cycles, cycles_with_k(10) + cycles_with_k(11) + cycles_with_k(12));
}

}  // namespace
}  // namespace accsim
