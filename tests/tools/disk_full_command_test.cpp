// Every command that writes files, on a full disk (simulated without root by a file-size
// limit, tests/file_size_limit.h): exit 2 with one line naming the file and the reason,
// and nothing of the run left behind (no output, temporary or checkpoint).
#include <gtest/gtest.h>

#include "child_process.h"
#include "tools/cli_test_util.h"
#include "workloads/io/fashion_mnist.h"

namespace accsim {
namespace {

using namespace cli_test;

struct CommandCase {
  std::string command;
  json config;
};

std::vector<CommandCase> writing_commands() {
  json run = small_config();
  json train = small_config();
  train["training"] = {{"epochs", 1}, {"batch_size", 32}, {"train_limit", 64}, {"validation_size", 32}, {"test_limit", 32}};
  train["faults"] = json::array();
  json sweep = small_config();
  sweep["sweep"] = {{"grid", {{"array.swizzle", {"none", "rotate"}}}}, {"threads", 1}};
  json campaign = small_config();
  campaign.erase("faults");
  campaign["campaign"] = {{"experiments", 4}, {"test_limit", 2}, {"batch", 2}, {"threads", 1}, {"model", trained_lenet5()}};
  json pvf = small_config();
  pvf.erase("faults");
  pvf["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"fc3"}}};
  pvf["pvf"] = {{"experiments", 4}, {"test_limit", 2}, {"batch", 2}, {"threads", 1}, {"model", trained_lenet5()}};
  std::vector<CommandCase> cases = {{"run", run}, {"errmodel", run}, {"sweep", sweep}, {"campaign", campaign}, {"pvf", pvf}};
  if (fashion_mnist_available(kFashionMnistDir)) cases.push_back({"train", train});
  return cases;
}

TEST(DiskFull, EveryCommandExits2NamingTheFileAndLeavesNothing) {
  for (const CommandCase& c : writing_commands()) {
    TempDir dir;
    const std::string config = write_config(dir, c.config);
    const std::string out = (dir.path() / "out.h5").string();
    std::vector<std::string> args = {c.command, "--config", config, "--out", out};
    if (c.command != "run" && c.command != "errmodel") args.push_back("--quiet");
    const testing::ChildOutcome child = testing::run_with_file_size_limit(2048, [&](std::string& text) {
      const CliRun r = run_cli(args);
      text = r.err;
      return r.code;
    });
    ASSERT_TRUE(child.exited) << c.command << " crashed: " << child.describe();
    EXPECT_EQ(child.code, 2) << c.command << ": " << child.describe();
    EXPECT_TRUE(exactly_one_line(child.text)) << c.command << ": " << child.text;
    EXPECT_NE(child.text.find(out), std::string::npos) << c.command << ": " << child.text;
    EXPECT_NE(child.text.find("File too large"), std::string::npos) << c.command << ": " << child.text;
    for (const std::string& left : files_containing(dir.path(), "out.")) ADD_FAILURE() << c.command << " left " << left;
  }
}

}  // namespace
}  // namespace accsim
