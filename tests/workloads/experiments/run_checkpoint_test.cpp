// The checkpoint rule shared by train, sweep, campaign and pvf: one file name, deleted
// once a run is complete, and resume keys that ignore settings which never change results.
#include "workloads/experiments/run_checkpoint.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace accsim {
namespace {

namespace fs = std::filesystem;

TEST(RunCheckpoint, SitsNextToTheResultsAndIsDiscardedOnlyByName) {
  EXPECT_EQ(checkpoint_path("dir/out.h5"), "dir/out.h5.checkpoint.h5");
  const fs::path dir = fs::temp_directory_path() / ("accsim_run_checkpoint_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string out = (dir / "r.h5").string();
  std::ofstream(out) << "results";
  std::ofstream(checkpoint_path(out)) << "progress";
  discard_checkpoint(out);
  EXPECT_FALSE(fs::exists(checkpoint_path(out)));
  EXPECT_TRUE(fs::exists(out));
  discard_checkpoint(out);  // none left: nothing to do, no error
  fs::remove_all(dir);
}

TEST(RunCheckpoint, ResumeKeysIgnoreThreadCountsAndKeepEverythingElse) {
  const nlohmann::json a = {{"seed", 3}, {"training", {{"epochs", 2}, {"threads", 1}}}, {"sweep", {{"threads", 4}}}};
  nlohmann::json b = a;
  b["training"]["threads"] = 8;
  b["sweep"].erase("threads");
  const std::vector<std::string> ignored = {"training.threads", "sweep.threads", "campaign.threads"};
  EXPECT_EQ(resume_key_text(a.dump(2), ignored), resume_key_text(b.dump(2), ignored));
  b["training"]["epochs"] = 3;
  EXPECT_NE(resume_key_text(a.dump(2), ignored), resume_key_text(b.dump(2), ignored));
  EXPECT_EQ(resume_key_text("not json", ignored), "not json");
}

}  // namespace
}  // namespace accsim
