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

// `args` (writing `out`) stopped by each signal: one line, 128 + the signal, no output;
// stopped during its fault-free part it says nothing was kept ("<what> stopped before any
// experiment finished"), later it keeps the finished experiments for the rerun (on a
// loaded machine the signal may come either way); the rerun completes.
void expect_stops_then_completes(const std::vector<std::string>& args, const std::string& out, const std::string& what) {
  for (const int sig : {SIGINT, SIGTERM}) {
    const CliRun stopped = run_cli_interrupted(args, sig);
    EXPECT_EQ(stopped.code, 128 + sig) << stopped.err;
    EXPECT_TRUE(exactly_one_line(stopped.err)) << stopped.err;
    const bool none = stopped.err.find("accsim: " + what + " stopped before any experiment finished") != std::string::npos;
    EXPECT_TRUE(none || stopped.err.find("rerun the same command to resume") != std::string::npos) << stopped.err;
    EXPECT_EQ(fs::exists(checkpoint_path(out)), !none) << stopped.err;
    EXPECT_FALSE(fs::exists(out));
    const CliRun again = run_cli(args);
    ASSERT_EQ(again.code, 0) << again.err;
    EXPECT_TRUE(fs::exists(out));
    fs::remove(out);
  }
}

TEST(InterruptCommand, TrainCampaignStopsOnSigintAndOnSigtermWithTheirExitCodes) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["training"] = {{"batch_size", 8}, {"train_limit", 16}, {"validation_size", 16}, {"eval_batch", 16}};
  // 40 experiments: with 3 the whole run could end before a loaded machine delivered the signal.
  j["train_campaign"] = {{"experiments", 40}, {"steps", 2}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "tc.h5").string();
  expect_stops_then_completes({"train-campaign", "--config", config, "--out", out, "--quiet"}, out, "train-campaign");
}

TEST(InterruptCommand, MemoryCampaignStopsOnSigintAndOnSigtermWithTheirExitCodes) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["array"]["memory"] = {{"preset", "nv_small"}};
  j["workload"]["parameters"] = trained_lenet5();
  // 100000 experiments (~0.3 s idle): with 2000 (~10 ms) the whole run ended once before a
  // loaded machine delivered the signal.
  j["campaign"] = {{"experiments", 100000}, {"test_limit", 4}, {"batch", 4}, {"sites", {"cbuf", "dram"}}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "m.h5").string();
  expect_stops_then_completes({"campaign", "--config", config, "--out", out, "--quiet"}, out, "memory campaign");
}

}  // namespace
}  // namespace accsim
