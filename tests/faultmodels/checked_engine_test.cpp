// ABFT and duplication: no false alarms on a healthy array, transients detected and
// corrected by re-execution, permanent faults detected, and the cycles they cost.
#include "faultmodels/checked_engine.h"

#include <gtest/gtest.h>

#include "arch/job_timing.h"
#include "test_util.h"
#include "workloads/engines.h"

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

}  // namespace
}  // namespace accsim
