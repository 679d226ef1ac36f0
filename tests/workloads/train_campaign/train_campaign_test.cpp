// `accsim train-campaign` as a library on a tiny LeNet-5 run: thread counts, resuming,
// crashes, refused checkpoints.
#include "workloads/train_campaign/train_campaign.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <sstream>

#include "arch/input_error.h"
#include "same_runs.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/train_campaign/train_campaign_output.h"
#include "workloads/train_campaign/train_campaign_setup.h"

namespace accsim {
namespace {

using testing::expect_same_runs;

class TrainCampaignTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    rc_.file = (dir_.path() / "tc.json").string();
    rc_.array = testing::preset("small");
    rc_.json_text = "train-campaign test";
    rc_.seed = 5;
    rc_.training.batch_size = 8;
    rc_.training.train_limit = 24;
    rc_.training.validation_size = 40;
    rc_.training.eval_batch = 40;
    rc_.train_campaign = {{"experiments", 6}, {"steps", 4},       {"fault_steps", {1, 3}}, {"bits", {20, 31}},
                          {"curve_every", 2}, {"margin", 0.05},   {"checkpoint_seconds", 0.1}};
  }
  TrainCampaignResults run(int threads, const TrainCampaignRunOptions& o = {}) {
    rc_.train_campaign["threads"] = threads;
    const TrainCampaignSpec spec = train_campaign_spec(rc_);
    return run_train_campaign(*training_subject(rc_, spec.config), spec, o);
  }
  std::string write(const TrainCampaignResults& r, const std::string& name) {
    const std::string out = (dir_.path() / name).string();
    std::ostringstream notes;
    write_train_campaign_outputs(out, rc_, train_campaign_spec(rc_), r, false, notes);
    return out;
  }
  testing::TempDir dir_;
  RunConfig rc_;
};

TEST_F(TrainCampaignTest, OneAndTwoThreadsGiveIdenticalResults) {
  const TrainCampaignResults one = run(1), two = run(2);
  ASSERT_TRUE(one.complete());
  ASSERT_TRUE(two.complete());
  EXPECT_EQ(one.window.curve_steps, (std::vector<long long>{2, 4}));
  EXPECT_EQ(one.reference.loss.size(), 3u);  // steps 1..3 after the shared prefix
  EXPECT_TRUE(std::isfinite(one.reference.loss.back()));
  expect_same_runs(one, two);
}

// Stopped as if killed after two experiments, rerun: the datasets equal an uninterrupted run's.
TEST_F(TrainCampaignTest, AnInterruptedRunResumesToBitIdenticalResults) {
  const std::string whole = write(run(2), "whole.h5");
  TrainCampaignRunOptions o;
  o.checkpoint = checkpoint_path((dir_.path() / "parts.h5").string());
  o.max_experiments = 2;
  const TrainCampaignResults first = run(2, o);
  EXPECT_FALSE(first.complete());
  EXPECT_EQ(first.done_count, 2);
  o.max_experiments = -1;
  const TrainCampaignResults rest = run(1, o);
  ASSERT_TRUE(rest.complete());
  EXPECT_EQ(rest.resumed, 2);
  const std::string parts = write(rest, "parts.h5");
  const Tensor a = read_tensor(whole, "/runs/loss"), b = read_tensor(parts, "/runs/loss");
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  for (const char* d : {"/runs/correct_faulty", "/runs/correct_fault_free", "/runs/crash_step", "/runs/crash_pass",
                        "/reference/correct_fault_free"}) {
    std::vector<hsize_t> da, db;
    EXPECT_EQ(read_int64_array(whole, d, da), read_int64_array(parts, d, db)) << d;
    EXPECT_EQ(da, db) << d;
  }
  for (const char* d : {"/summary/masked", "/summary/sdc", "/summary/latent", "/summary/crash"})
    EXPECT_EQ(read_int64s(whole, d), read_int64s(parts, d)) << d;
  EXPECT_EQ(read_strings(whole, "/experiments/outcome"), read_strings(parts, "/experiments/outcome"));
}

TEST_F(TrainCampaignTest, ACheckpointOfAnotherCampaignIsRefused) {
  TrainCampaignRunOptions o;
  o.checkpoint = checkpoint_path((dir_.path() / "x.h5").string());
  o.max_experiments = 1;
  run(1, o);
  rc_.train_campaign["margin"] = 0.1;
  rc_.json_text = "another campaign";
  try {
    run(1, o);
    FAIL() << "resumed another campaign's checkpoint";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("belongs to another train-campaign"), std::string::npos) << e.what();
  }
}

// The top exponent bit of a weight register stuck at 1 blows the forward pass up: the run
// stops at the step the fault appears, and says which pass first went non-finite.
TEST_F(TrainCampaignTest, ANonFiniteLossIsACrashWithItsStepAndPass) {
  rc_.train_campaign["experiments"] = 2;
  rc_.train_campaign["sites"] = {"weight"};
  rc_.train_campaign["kinds"] = {"stuck_at_1"};
  rc_.train_campaign["bits"] = {30, 30};
  const TrainCampaignResults r = run(2);
  const std::vector<TrainOutcome> outcomes = r.outcomes(0.05);
  for (std::size_t i = 0; i < r.runs.size(); ++i) {
    EXPECT_EQ(outcomes[i], TrainOutcome::crash) << describe(r.faults[i]);
    EXPECT_EQ(r.runs[i].crash_step, 1);
    EXPECT_EQ(r.runs[i].crash_pass, static_cast<int>(Pass::forward));
    EXPECT_TRUE(std::isnan(r.runs[i].loss.back()));  // not run after the crash
    EXPECT_EQ(r.runs[i].correct_faulty.back(), -1);
  }
}

}  // namespace
}  // namespace accsim
