#include "workloads/train_campaign/train_campaign_summary.h"

#include <gtest/gtest.h>

#include "workloads/experiments/wilson_interval.h"

namespace accsim {
namespace {

TrainFault fault(FaultSite site, FaultKind kind, int bit, Pass pass) {
  TrainFault f;
  f.fault.site = site, f.fault.kind = kind, f.fault.bit = bit;
  f.pass = pass;
  return f;
}

std::size_t row_of(const Table& t, const std::string& group, const std::string& value) {
  for (std::size_t r = 0; r < t.rows(); ++r)
    if (t.cell(r, 0).text() == group && t.cell(r, 1).text() == value) return r;
  ADD_FAILURE() << group << " " << value << " missing";
  return 0;
}

TEST(TrainCampaignSummary, CountsRatesAndWilsonIntervalsPerGroup) {
  const std::vector<TrainFault> faults = {
      fault(FaultSite::weight, FaultKind::transient, 30, Pass::backward_data),
      fault(FaultSite::weight, FaultKind::stuck_at_1, 30, Pass::forward),
      fault(FaultSite::psum, FaultKind::transient, 3, Pass::backward_data),
      fault(FaultSite::psum, FaultKind::transient, 30, Pass::forward)};
  const std::vector<TrainOutcome> outcomes = {TrainOutcome::crash, TrainOutcome::latent, TrainOutcome::masked,
                                              TrainOutcome::sdc};
  const Table t = train_campaign_summary(faults, outcomes);
  const std::size_t all = row_of(t, "all", "all");
  EXPECT_EQ(t.cell(all, 2).integer(), 4);
  for (std::size_t o = 0; o < 4; ++o) {
    EXPECT_EQ(t.cell(all, 3 + 4 * o).integer(), 1);
    EXPECT_DOUBLE_EQ(t.cell(all, 4 + 4 * o).real(), 0.25);
    EXPECT_DOUBLE_EQ(t.cell(all, 5 + 4 * o).real(), wilson_interval(1, 4).lo);
    EXPECT_DOUBLE_EQ(t.cell(all, 6 + 4 * o).real(), wilson_interval(1, 4).hi);
  }
  const std::size_t bwd = row_of(t, "pass", "bwd_data");  // the two transients in backward-data
  EXPECT_EQ(t.cell(bwd, 2).integer(), 2);
  EXPECT_EQ(t.cell(bwd, 3 + 4 * 3).integer(), 1);  // crash
  EXPECT_EQ(t.cell(row_of(t, "pass", "permanent"), 2).integer(), 1);
  EXPECT_EQ(t.cell(row_of(t, "bit", "30"), 2).integer(), 3);
  EXPECT_LT(row_of(t, "bit", "3"), row_of(t, "bit", "30"));  // bits sort numerically
}

}  // namespace
}  // namespace accsim
