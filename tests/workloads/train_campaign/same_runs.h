#pragma once
// Two training-fault campaigns' runs equal run by run: every step's loss bit for bit, the
// validation counts and where a crash appeared.
#include <gtest/gtest.h>

#include <cstring>

#include "workloads/train_campaign/train_campaign.h"

namespace accsim::testing {

inline void expect_same_runs(const TrainCampaignResults& a, const TrainCampaignResults& b) {
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    ASSERT_EQ(a.runs[i].loss.size(), b.runs[i].loss.size());
    EXPECT_EQ(std::memcmp(a.runs[i].loss.data(), b.runs[i].loss.data(), a.runs[i].loss.size() * sizeof(float)), 0) << i;
    EXPECT_EQ(a.runs[i].correct_faulty, b.runs[i].correct_faulty) << i;
    EXPECT_EQ(a.runs[i].correct_fault_free, b.runs[i].correct_fault_free) << i;
    EXPECT_EQ(a.runs[i].crash_step, b.runs[i].crash_step) << i;
    EXPECT_EQ(a.runs[i].crash_pass, b.runs[i].crash_pass) << i;
  }
}

}  // namespace accsim::testing
