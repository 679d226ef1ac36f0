// `accsim train-campaign` on a graph model (workload.model) from the command line: a bad
// model is one line naming it with exit 2, and a run killed with SIGKILL resumes to the
// datasets of an uninterrupted run.
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
#include "workloads/models/tiny_classifier.h"
#include "workloads/train_campaign/tiny_fmnist_model.h"

namespace accsim {
namespace {

using namespace cli_test;

json model_config(const TempDir& dir, int experiments) {
  testing::save_tiny_fmnist_model((dir.path() / "tiny.onnx").string());
  json j = small_config();
  j.erase("faults");
  j["workload"] = {{"model", "tiny.onnx"}};
  j["training"] = {{"batch_size", 8}, {"train_limit", 24}, {"validation_size", 40}, {"eval_batch", 40}};
  j["train_campaign"] = {{"experiments", experiments}, {"steps", 4}, {"fault_steps", {1, 3}}, {"bits", {24, 31}},
                         {"checkpoint_seconds", 0.1}};
  return j;
}

CliRun refused(const TempDir& dir, const json& j) {
  const std::string out = (dir.path() / "tc.h5").string();
  return run_cli({"train-campaign", "--config", write_config(dir, j), "--out", out, "--quiet"});
}

TEST(GraphTrainCampaignCommand, ABadModelIsOneLineNamingItWithExit2AndNothingWritten) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = model_config(dir, 2);
  write_file(dir.path() / "garbage.onnx", "not a protobuf\n");
  j["workload"]["model"] = "garbage.onnx";
  const CliRun r = refused(dir, j);
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("garbage.onnx"), std::string::npos) << r.err;
  j["workload"]["model"] = "missing.onnx";
  const CliRun r2 = refused(dir, j);
  EXPECT_EQ(r2.code, 2);
  EXPECT_NE(r2.err.find("missing.onnx"), std::string::npos) << r2.err;
  testing::save_tiny_classifier((dir.path() / "rgb.onnx").string());  // [N, 3, 8, 8] images
  j["workload"]["model"] = "rgb.onnx";
  const CliRun r3 = refused(dir, j);
  EXPECT_EQ(r3.code, 2);
  EXPECT_TRUE(exactly_one_line(r3.err)) << r3.err;
  EXPECT_NE(r3.err.find("workload.model"), std::string::npos) << r3.err;
  EXPECT_NE(r3.err.find("rgb.onnx"), std::string::npos) << r3.err;
  j = model_config(dir, 2);
  j["train_campaign"]["model"] = trained_lenet5();  // a network's parameter file
  const CliRun r4 = refused(dir, j);
  EXPECT_EQ(r4.code, 2);
  EXPECT_NE(r4.err.find("train_campaign.model"), std::string::npos) << r4.err;
  EXPECT_TRUE(files_containing(dir.path(), "tc").empty()) << "nothing written";
}

TEST(GraphTrainCampaignCommand, AKilledRunResumesToTheDatasetsOfAnUninterruptedRun) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  const std::string config = write_config(dir, model_config(dir, 400));  // long enough to be caught mid-run
  const std::string whole = (dir.path() / "whole.h5").string(), parts = (dir.path() / "parts.h5").string();
  const CliRun w = run_cli({"train-campaign", "--config", config, "--out", whole, "--quiet", "--threads", "2"});
  ASSERT_EQ(w.code, 0) << w.err;
  EXPECT_NE(w.out.find("tiny (" + (dir.path() / "tiny.onnx").string() + "), onnx parameters"), std::string::npos)
      << w.out;

  expect_killed_run_resumes_to(config, whole, parts);
  EXPECT_EQ(read_string_attribute(parts, "/", "model"), (dir.path() / "tiny.onnx").string());
}

}  // namespace
}  // namespace accsim
