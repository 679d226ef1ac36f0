// The draw of a training fault and the outcome classes, without training.
#include "workloads/train_campaign/train_fault.h"

#include <gtest/gtest.h>

#include <set>

#include "test_util.h"
#include "workloads/train_campaign/train_outcome.h"

namespace accsim {
namespace {

// Two steps' worth of jobs: fwd 10, bwd_weight 5, bwd_data 7, fwd 3 cycles.
const std::vector<JobSpan> kTimeline = {{Pass::forward, 0, 10},
                                        {Pass::backward_weight, 10, 5},
                                        {Pass::backward_data, 15, 7},
                                        {Pass::forward, 22, 3}};

TrainCampaignConfig config() {
  TrainCampaignConfig c;
  c.experiments = 50;
  c.steps = 20;
  c.first_fault_step = 4, c.last_fault_step = 9;
  c.sites = {FaultSite::weight, FaultSite::psum, FaultSite::accumulator};
  c.kinds = {FaultKind::stuck_at_0, FaultKind::stuck_at_1, FaultKind::transient};
  c.passes = {Pass::forward, Pass::backward_data, Pass::backward_weight};
  c.bit_lo = 20, c.bit_hi = 31;
  return c;
}

const std::vector<JobSpan>& timeline(long long) { return kTimeline; }

TEST(TrainFault, CycleOfPassWalksThePassJobsInOrder) {
  EXPECT_EQ(pass_cycles(kTimeline, Pass::forward), 13);
  EXPECT_EQ(cycle_of_pass(kTimeline, Pass::forward, 9), 9);
  EXPECT_EQ(cycle_of_pass(kTimeline, Pass::forward, 10), 22);
  EXPECT_EQ(cycle_of_pass(kTimeline, Pass::backward_data, 0), 15);
  EXPECT_THROW(cycle_of_pass(kTimeline, Pass::forward, 13), std::out_of_range);
}

TEST(TrainFault, DependsOnlyOnSeedAndIndexAndStaysInItsRanges) {
  const ArrayConfig array = testing::preset("small");
  const TrainCampaignConfig c = config();
  int transients = 0, permanents = 0;
  for (long long i = 49; i >= 0; --i) {  // any order
    const TrainFault f = draw_train_fault(c, array, 7, i, timeline);
    EXPECT_EQ(describe(f), describe(draw_train_fault(c, array, 7, i, timeline)));
    EXPECT_GE(f.fault.bit, 20);
    EXPECT_LE(f.fault.bit, 31);
    if (f.fault.permanent()) {
      ++permanents;
      EXPECT_EQ(f.step, 4);  // onset first_step
      continue;
    }
    ++transients;
    EXPECT_GE(f.step, 4);
    EXPECT_LE(f.step, 9);
    bool inside = false;  // the cycle lies in a job of the drawn pass
    for (const JobSpan& j : kTimeline) inside |= j.pass == f.pass && f.fault.cycle >= j.start && f.fault.cycle < j.start + j.cycles;
    EXPECT_TRUE(inside) << describe(f);
  }
  EXPECT_GT(transients, 5);
  EXPECT_GT(permanents, 5);
  EXPECT_NE(describe(draw_train_fault(c, array, 7, 3, timeline)), describe(draw_train_fault(c, array, 8, 3, timeline)));
}

TEST(TrainFault, DrawnOnsetSpreadsPermanentFaultsOverTheFaultSteps) {
  TrainCampaignConfig c = config();
  c.kinds = {FaultKind::stuck_at_1};
  c.onset = PermanentOnset::drawn;
  std::set<long long> steps;
  for (long long i = 0; i < 50; ++i) steps.insert(draw_train_fault(c, testing::preset("small"), 1, i, timeline).step);
  EXPECT_EQ(steps, (std::set<long long>{4, 5, 6, 7, 8, 9}));
}

TrainRunRecord finished(long long faulty, long long healthy) {
  TrainRunRecord r;
  r.correct_faulty = {0, faulty};
  r.correct_fault_free = {0, healthy};
  return r;
}

TEST(TrainOutcome, ClassesFollowTheFinalAccuraciesAgainstTheMargin) {
  const TrainRunRecord ref = finished(80, 80);  // 80 of 100
  EXPECT_EQ(classify(finished(79, 78), ref, 100, 0.02), TrainOutcome::masked);
  EXPECT_EQ(classify(finished(90, 95), ref, 100, 0.02), TrainOutcome::masked);  // better is not degraded
  EXPECT_EQ(classify(finished(77, 80), ref, 100, 0.02), TrainOutcome::sdc);
  EXPECT_EQ(classify(finished(77, 70), ref, 100, 0.02), TrainOutcome::sdc);
  EXPECT_EQ(classify(finished(80, 70), ref, 100, 0.02), TrainOutcome::latent);
  TrainRunRecord crashed = finished(-1, -1);
  crashed.crash_step = 3;
  EXPECT_EQ(classify(crashed, ref, 100, 0.02), TrainOutcome::crash);
  EXPECT_THROW(classify(finished(80, 80), crashed, 100, 0.02), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
