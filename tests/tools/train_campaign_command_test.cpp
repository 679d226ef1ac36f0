// `accsim train-campaign` from the command line: refusals, outputs, and a run killed with
// SIGKILL that resumes to the datasets of an uninterrupted run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <iterator>
#include <thread>

#include "tools/cli_test_util.h"
#include "tools/train_campaign_resume.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json tiny_config(int experiments) {
  json j = small_config();
  j.erase("faults");
  j["training"] = {{"batch_size", 8}, {"train_limit", 24}, {"validation_size", 40}, {"eval_batch", 40}};
  j["train_campaign"] = {{"experiments", experiments}, {"steps", 3}, {"fault_steps", {1, 2}}, {"bits", {24, 31}},
                         {"checkpoint_seconds", 0.1}};
  return j;
}

TEST(TrainCampaignCommand, ABadKeyIsOneLineNamingItWithExit2AndNothingWritten) {
  TempDir dir;
  json j = tiny_config(2);
  j["train_campaign"]["fault_steps"] = {1, 3};  // steps is 3: the last step is 2
  const std::string out = (dir.path() / "tc.h5").string();
  const CliRun r = run_cli({"train-campaign", "--config", write_config(dir, j), "--out", out, "--quiet"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("train_campaign.fault_steps"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[0, 2]"), std::string::npos) << r.err;
  j = tiny_config(2);
  j["train_campaign"]["passes"] = {"fwd", "sideways"};
  const CliRun r2 = run_cli({"train-campaign", "--config", write_config(dir, j), "--out", out, "--quiet"});
  EXPECT_EQ(r2.code, 2);
  EXPECT_NE(r2.err.find("train_campaign.passes[1]"), std::string::npos) << r2.err;
  j = tiny_config(1000000);
  j["train_campaign"]["steps"] = 10000000;  // 4e13 bytes of loss curves
  const CliRun r4 = run_cli({"train-campaign", "--config", write_config(dir, j), "--out", out, "--quiet"});
  EXPECT_EQ(r4.code, 2);
  EXPECT_TRUE(exactly_one_line(r4.err)) << r4.err;
  EXPECT_NE(r4.err.find("experiments x steps"), std::string::npos) << r4.err;
  EXPECT_NE(r4.err.find("memory limit"), std::string::npos) << r4.err;
  j = tiny_config(2);
  j.erase("train_campaign");
  const CliRun r3 = run_cli({"train-campaign", "--config", write_config(dir, j), "--out", out, "--quiet"});
  EXPECT_EQ(r3.code, 2);
  EXPECT_NE(r3.err.find("train_campaign: required key is missing"), std::string::npos) << r3.err;
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1) << "only the config";
}

TEST(TrainCampaignCommand, AKilledRunResumesToTheDatasetsOfAnUninterruptedRun) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  // Long enough to be caught mid-run: 40 experiments ended within 20 ms of their first
  // checkpoint (0.1 s) once the training step got faster; 200 take about 0.5 s.
  const std::string config = write_config(dir, tiny_config(200));
  const std::string whole = (dir.path() / "whole.h5").string(), parts = (dir.path() / "parts.h5").string();
  const CliRun w = run_cli({"train-campaign", "--config", config, "--out", whole, "--quiet", "--threads", "2"});
  ASSERT_EQ(w.code, 0) << w.err;
  EXPECT_NE(w.out.find("masked"), std::string::npos) << w.out;
  EXPECT_TRUE(fs::exists(fs::path(whole).replace_extension(".csv")));
  EXPECT_FALSE(fs::exists(checkpoint_path(whole)));

  expect_killed_run_resumes_to(config, whole, parts);
}

}  // namespace
}  // namespace accsim
