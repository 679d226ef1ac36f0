#pragma once
// Every recorded value of a campaign experiment, compared field by field (the margin by
// its bits: NaN equals NaN).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "workloads/campaign/campaign_types.h"

namespace accsim::testing {

inline void expect_same_record(const ExperimentResult& x, const ExperimentResult& y, const std::string& what) {
  EXPECT_EQ(describe(x.fault), describe(y.fault)) << what;
  EXPECT_EQ(x.fault.cycle, y.fault.cycle) << what;
  EXPECT_EQ(x.node, y.node) << what;
  EXPECT_EQ(x.outcome, y.outcome) << what;
  EXPECT_EQ(x.correct_to_wrong, y.correct_to_wrong) << what;
  EXPECT_EQ(x.nonfinite_images, y.nonfinite_images) << what;
  EXPECT_EQ(x.trace, y.trace) << what;
  EXPECT_EQ(x.image, y.image) << what;
  EXPECT_EQ(x.golden_top1, y.golden_top1) << what;
  EXPECT_EQ(x.faulty_top1, y.faulty_top1) << what;
  EXPECT_EQ(std::memcmp(&x.margin, &y.margin, sizeof(float)), 0) << what << ": margin " << x.margin << " vs " << y.margin;
  EXPECT_EQ(x.nonfinite_node, y.nonfinite_node) << what;
}

}  // namespace accsim::testing
