// One checkpoint rule for every resumable command (train, sweep, campaign, pvf): an
// interrupted run leaves "<out>.checkpoint.h5", the rerun resumes from it, and a completed
// run deletes it.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/pvf/pvf_campaign.h"
#include "workloads/pvf/pvf_setup.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/run/run_config.h"
#include "workloads/sweep/sweep.h"
#include "workloads/training/training_run.h"

namespace accsim {
namespace {

using namespace cli_test;

// Nothing of a checkpoint is left in `dir`.
void expect_no_checkpoint(const TempDir& dir, const std::string& command) {
  EXPECT_TRUE(files_containing(dir.path(), "checkpoint").empty()) << command << " left its checkpoint behind";
}

TEST(CheckpointRule, TrainKeepsItWhenStoppedAndDeletesItWhenComplete) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = small_config();
  j["training"] = {{"epochs", 2}, {"batch_size", 32}, {"train_limit", 64}, {"validation_size", 32}, {"test_limit", 32}};
  j["faults"] = json::array();
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "t.h5").string();
  TrainingOptions stopped;
  stopped.out_file = out;
  stopped.plot = false;
  stopped.stop_after_epochs = 1;
  std::ostringstream sink;
  run_training(training_inputs(parse_run_config(config)), stopped, sink, sink);
  ASSERT_TRUE(fs::exists(checkpoint_path(out)));

  // Another thread count resumes the same run: threads never change results.
  const CliRun r = run_cli({"train", "--config", config, "--out", out, "--quiet", "--threads", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("resuming from " + checkpoint_path(out)), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out));
  expect_no_checkpoint(dir, "train");
}

TEST(CheckpointRule, SweepKeepsItWhenStoppedAndDeletesItWhenComplete) {
  TempDir dir;
  json j = small_config();
  j["faults"] = json::array();
  j["sweep"] = {{"grid", {{"array.atomic_k", {4, 8, 16}}}}, {"threads", 1}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "s.h5").string();
  const RunConfig rc = parse_run_config(config);
  SweepOptions stopped;
  stopped.out_file = out;
  stopped.plot = false;
  stopped.stop_after_points = 1;
  std::ostringstream sink;
  EXPECT_FALSE(run_sweep(parse_sweep(rc), stopped, sink, sink).complete);
  ASSERT_TRUE(fs::exists(checkpoint_path(out)));

  // Another thread count resumes the same sweep: threads never change results.
  const CliRun r = run_cli({"sweep", "--config", config, "--out", out, "--quiet", "--threads", "2"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("1 of 3 points done"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out));
  expect_no_checkpoint(dir, "sweep");
}

json tiny_campaign(json j) {
  j.erase("faults");
  j["campaign"] = {{"experiments", 8}, {"test_limit", 4}, {"batch", 4}, {"threads", 2}, {"bits", {20, 31}}};
  return j;
}

TEST(CheckpointRule, CampaignKeepsItWhenStoppedAndDeletesItWhenComplete) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_campaign(small_config()));
  const std::string out = (dir.path() / "c.h5").string();
  std::ostringstream notes;
  CampaignRunOptions stopped;
  stopped.checkpoint = checkpoint_path(out);
  stopped.max_experiments = 3;
  EXPECT_FALSE(run_campaign(load_campaign(parse_run_config(config), 1, notes).campaign, stopped).complete());
  ASSERT_TRUE(fs::exists(checkpoint_path(out)));

  const CliRun r = run_cli({"campaign", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("3 resumed from " + checkpoint_path(out)), std::string::npos) << r.out;
  expect_no_checkpoint(dir, "campaign");
}

TEST(CheckpointRule, PvfKeepsItWhenStoppedAndDeletesItWhenComplete) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"fc3"}}};
  j["pvf"] = {{"experiments", 12}, {"test_limit", 4}, {"batch", 4}, {"threads", 2}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "p.h5").string();
  {  // what `accsim pvf` runs, stopped after 5 experiments
    const RunConfig rc = parse_run_config(config);
    std::ostringstream notes;
    const PvfSetup setup = load_pvf_setup(rc, rc.seed, notes);
    const PvfCampaign& c = setup.campaign;
    PvfRunOptions stopped;
    stopped.checkpoint = checkpoint_path(out);
    stopped.max_experiments = 5;
    EXPECT_FALSE(run_pvf(c, stopped).complete());
  }
  ASSERT_TRUE(fs::exists(checkpoint_path(out)));

  const CliRun r = run_cli({"pvf", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("5 resumed from " + checkpoint_path(out)), std::string::npos) << r.out;
  expect_no_checkpoint(dir, "pvf");
}

}  // namespace
}  // namespace accsim
