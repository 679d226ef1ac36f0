#pragma once
// Comparisons shared by the PVF campaign tests (chain and graph models).
#include <gtest/gtest.h>

#include <string>

#include "workloads/pvf/pvf_campaign.h"

namespace accsim::testing {

// Every field of every experiment.
inline void expect_same_experiments(const PvfResults& a, const PvfResults& b) {
  ASSERT_EQ(a.experiments.size(), b.experiments.size());
  EXPECT_EQ(a.key, b.key);
  for (std::size_t i = 0; i < a.experiments.size(); ++i) {
    const PvfExperiment &x = a.experiments[i], &y = b.experiments[i];
    const std::string what = "experiment " + std::to_string(i);
    EXPECT_EQ(x.image, y.image) << what;
    EXPECT_EQ(x.bit, y.bit) << what;
    EXPECT_EQ(x.tensor, y.tensor) << what;
    EXPECT_EQ(x.element, y.element) << what;
    ASSERT_EQ(x.outcomes, y.outcomes) << what;
  }
}

// Experiments whose outcome under `variant` is an SDC or a crash.
inline long long failures(const PvfResults& r, std::size_t variant) {
  long long d = 0;
  for (const auto& e : r.experiments) d += e.outcomes[variant] == PvfOutcome::sdc || e.outcomes[variant] == PvfOutcome::crash;
  return d;
}

}  // namespace accsim::testing
