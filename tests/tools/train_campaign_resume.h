#pragma once
// A train-campaign run SIGKILLed mid-way and rerun: the rerun says it resumed and writes
// the datasets of the uninterrupted run `whole` bit for bit.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "tools/cli_test_util.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/results_file.h"

namespace accsim::cli_test {

// Two train-campaign files hold the same runs, summary counts and outcomes, bit for bit.
inline void expect_same_train_campaign_files(const std::string& whole, const std::string& parts) {
  const Tensor a = read_tensor(whole, "/runs/loss"), b = read_tensor(parts, "/runs/loss");
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  for (const char* d : {"/runs/correct_faulty", "/runs/correct_fault_free", "/runs/crash_step", "/runs/crash_pass"}) {
    std::vector<hsize_t> da, db;
    EXPECT_EQ(read_int64_array(whole, d, da), read_int64_array(parts, d, db)) << d;
  }
  for (const char* d : {"/summary/masked", "/summary/sdc", "/summary/latent", "/summary/crash"})
    EXPECT_EQ(read_int64s(whole, d), read_int64s(parts, d)) << d;
  EXPECT_EQ(read_strings(whole, "/experiments/outcome"), read_strings(parts, "/experiments/outcome"));
}


inline void expect_killed_run_resumes_to(const std::string& config, const std::string& whole, const std::string& parts) {
  const std::vector<std::string> args = {"train-campaign", "--config", config, "--out", parts, "--quiet", "--threads", "1"};
  killed_mid_run(args, checkpoint_path(parts));
  EXPECT_FALSE(fs::exists(parts));
  const CliRun resumed = run_cli(args);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resumed from"), std::string::npos) << resumed.out;
  expect_same_train_campaign_files(whole, parts);
}

}  // namespace accsim::cli_test
