// Ctrl-C (SIGINT) and a kill (SIGTERM) stop `train`, `sweep`, `train-campaign` and the
// memory campaign as they stop campaign and pvf: the progress is checkpointed, the exit code is 128 + the signal, nothing but the
// checkpoint is written, and the same command resumes to the end.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "tools/cli_test_util.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/io/fashion_mnist.h"

namespace accsim {
namespace {

using namespace cli_test;

extern "C" void ignore_signal(int) {}

// Runs the command and sends `sig` to this process as soon as the command has put its own
// handler in place. Meanwhile the test's own handler stands, so that a signal arriving
// after the command restored it cannot end the test binary.
CliRun run_cli_interrupted(const std::vector<std::string>& args, int sig) {
  struct sigaction mine {}, original {};
  mine.sa_handler = ignore_signal;
  sigemptyset(&mine.sa_mask);
  sigaction(sig, &mine, &original);
  std::atomic<bool> finished{false}, sent{false};
  std::thread sender([&] {
    while (!finished) {
      struct sigaction now {};
      sigaction(sig, nullptr, &now);
      if (now.sa_handler != ignore_signal) {
        ::kill(::getpid(), sig);
        sent = true;
        return;
      }
      std::this_thread::yield();
    }
  });
  CliRun r = run_cli(args);
  finished = true;
  sender.join();
  sigaction(sig, &original, nullptr);
  EXPECT_TRUE(sent) << "the command never installed a handler for signal " << sig;
  return r;
}

void expect_stopped_then_resumed(const std::vector<std::string>& args, const std::string& out, int sig,
                                 const std::string& stopped_message) {
  const CliRun stopped = run_cli_interrupted(args, sig);
  EXPECT_EQ(stopped.code, 128 + sig) << stopped.err;
  EXPECT_NE(stopped.err.find(stopped_message), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.err.find("rerun the same command to resume"), std::string::npos) << stopped.err;
  EXPECT_TRUE(fs::exists(checkpoint_path(out)));
  EXPECT_FALSE(fs::exists(out));
  const CliRun resumed = run_cli(args);
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resuming from " + checkpoint_path(out)), std::string::npos) << resumed.out;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(checkpoint_path(out)));
}

TEST(InterruptCommand, TrainStopsOnSigintAndOnSigtermWithTheirExitCodesAndResumes) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["training"] = {{"epochs", 1}, {"train_limit", 128}, {"validation_size", 64}, {"test_limit", 64}};
  const std::string config = write_config(dir, j);
  for (const int sig : {SIGINT, SIGTERM}) {
    const std::string out = (dir.path() / ("t" + std::to_string(sig) + ".h5")).string();
    expect_stopped_then_resumed({"train", "--config", config, "--out", out, "--quiet"}, out, sig,
                                "accsim: train stopped in epoch 1 after ");
  }
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
}

// The stop reaches the campaign a point runs: no half-run point is kept as done.
TEST(InterruptCommand, SweepStopsOnSigintInsideAPointsCampaignWithExit130AndResumes) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["workload"]["parameters"] = trained_lenet5();
  j["campaign"] = {{"experiments", 1000}, {"test_limit", 4}, {"batch", 4}};
  j["sweep"] = {{"grid", {{"array.atomic_c", {8, 16}}}}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "s.h5").string();
  expect_stopped_then_resumed({"sweep", "--config", config, "--out", out, "--quiet"}, out, SIGINT,
                              "accsim: sweep stopped after 0 of 2 points");
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
}

// The signal arrives while the fault-free prefix trains: no experiment finished, so
// nothing is kept and the exit code is still 128 + the signal; a rerun completes.
TEST(InterruptCommand, TrainCampaignStopsOnSigintAndOnSigtermWithTheirExitCodes) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["training"] = {{"batch_size", 8}, {"train_limit", 16}, {"validation_size", 16}, {"eval_batch", 16}};
  // 40 experiments: with 3 the whole run could end before a loaded machine delivered the signal.
  j["train_campaign"] = {{"experiments", 40}, {"steps", 2}};
  const std::string config = write_config(dir, j);
  for (const int sig : {SIGINT, SIGTERM}) {
    const std::string out = (dir.path() / ("tc" + std::to_string(sig) + ".h5")).string();
    const std::vector<std::string> args = {"train-campaign", "--config", config, "--out", out, "--quiet"};
    const CliRun stopped = run_cli_interrupted(args, sig);
    EXPECT_EQ(stopped.code, 128 + sig) << stopped.err;
    // Usually during the fault-free prefix (nothing kept); later, the finished experiments are checkpointed.
    const bool none = stopped.err.find("accsim: train-campaign stopped before any experiment finished") !=
                      std::string::npos;
    EXPECT_TRUE(none || stopped.err.find("rerun the same command to resume") != std::string::npos) << stopped.err;
    EXPECT_EQ(fs::exists(checkpoint_path(out)), !none) << stopped.err;
    EXPECT_FALSE(fs::exists(out));
    const CliRun again = run_cli(args);
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_TRUE(fs::exists(out));
  }
}

// The memory campaign: a signal during its fault-free runs stops it before any
// experiment with nothing kept; one after some experiments keeps them for the rerun.
TEST(InterruptCommand, MemoryCampaignStopsOnSigintAndOnSigtermWithTheirExitCodes) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["array"]["memory"] = {{"preset", "nv_small"}};
  j["workload"]["parameters"] = trained_lenet5();
  j["campaign"] = {{"experiments", 20}, {"test_limit", 4}, {"batch", 4}, {"sites", {"cbuf", "dram"}}};
  const std::string config = write_config(dir, j);
  for (const int sig : {SIGINT, SIGTERM}) {
    const std::string out = (dir.path() / ("m" + std::to_string(sig) + ".h5")).string();
    const std::vector<std::string> args = {"campaign", "--config", config, "--out", out, "--quiet"};
    const CliRun stopped = run_cli_interrupted(args, sig);
    EXPECT_EQ(stopped.code, 128 + sig) << stopped.err;
    EXPECT_TRUE(exactly_one_line(stopped.err)) << stopped.err;
    // On a loaded machine the signal may come after the first experiments finished: then
    // they are checkpointed; otherwise the line says that nothing was kept.
    const bool none = stopped.err.find("accsim: memory campaign stopped before any experiment finished") !=
                      std::string::npos;
    EXPECT_TRUE(none || stopped.err.find("rerun the same command to resume") != std::string::npos) << stopped.err;
    EXPECT_EQ(fs::exists(checkpoint_path(out)), !none) << stopped.err;
    EXPECT_FALSE(fs::exists(out));
    const CliRun again = run_cli(args);
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_TRUE(fs::exists(out));
  }
}

}  // namespace
}  // namespace accsim
