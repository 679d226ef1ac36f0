// `accsim train` from the command line: outputs, overrides and bad input.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json tiny_training(json j) {
  j["training"] = {{"epochs", 1}, {"batch_size", 32}, {"train_limit", 64}, {"validation_size", 32}, {"test_limit", 32}};
  j["faults"] = json::array();
  return j;
}

TEST(TrainCommand, WritesResultsCsvAndPlotAndNoPartialFiles) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  const std::string config = write_config(dir, tiny_training(small_config()));
  const fs::path out = dir.path() / "train.h5";
  const CliRun r = run_cli({"train", "--config", config, "--out", out.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("epoch   1"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_TRUE(fs::exists(dir.path() / "train.csv"));
  EXPECT_EQ(read_table(out.string(), "/history").columns[0].size(), 1u);
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  EXPECT_TRUE(files_containing(dir.path(), "checkpoint").empty());
  EXPECT_TRUE(r.err.empty() || r.err.find("no plot") != std::string::npos) << r.err;
}

TEST(TrainCommand, BadTrainingKeysNameThePathAndTheRange) {
  TempDir dir;
  json j = tiny_training(small_config());
  j["training"]["epochs"] = 0;
  const CliRun r = run_cli({"train", "--config", write_config(dir, j), "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("training.epochs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[1, 10000]"), std::string::npos) << r.err;
  j = tiny_training(small_config());
  j["training"]["momentum"] = 1.5;
  const CliRun m = run_cli({"train", "--config", write_config(dir, j), "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(m.code, 2);
  EXPECT_NE(m.err.find("training.momentum"), std::string::npos) << m.err;
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

TEST(TrainCommand, BadOptimiserAndScheduleKeysAreExit2WithThePathAndWriteNothing) {
  TempDir dir;
  json j = tiny_training(small_config());
  j["training"]["optimizer"] = {{"name", "adamw"}, {"betas", {0.9, 1.5}}};
  const CliRun r = run_cli({"train", "--config", write_config(dir, j), "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("training.optimizer.betas: expected an array of two numbers in [0, 0.999999]"), std::string::npos)
      << r.err;
  j = tiny_training(small_config());
  j["training"]["schedule"] = {{"name", "cosine"}, {"step_size", 10}};
  const CliRun s = run_cli({"train", "--config", write_config(dir, j), "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(s.code, 2);
  EXPECT_NE(s.err.find("training.schedule.step_size: unknown key"), std::string::npos) << s.err;
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

TEST(TrainCommand, OutOfRangeLimitOptionsAreUsageErrors) {
  const CliRun r = run_cli({"train", "--config", source_file("configs/small.json"), "--train-limit", "-1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--train-limit"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("training.train_limit: -1 is outside the allowed range [0, 55000]"), std::string::npos)
      << r.err;
}

// One meter over the whole run (2 epochs x 2 batches): a fresh run never says it
// resumes, and the last line counts every batch of every epoch.
TEST(TrainCommand, AFreshRunShowsOneProgressMeterForTheWholeRun) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = tiny_training(small_config());
  j["training"]["epochs"] = 2;
  const CliRun r = run_cli({"train", "--config", write_config(dir, j), "--out", (dir.path() / "t.h5").string(),
                            "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("resuming"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("accsim: train:  50% (2/4)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("accsim: train: 100% (4/4)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace accsim
