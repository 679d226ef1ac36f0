// The command table: per-command help, options that do not apply are rejected, and an
// option that overrides a config key is validated by the key's own code.
#include <gtest/gtest.h>

#include "tools/cli/command_table.h"
#include "tools/cli_test_util.h"

namespace accsim {
namespace {

using namespace cli_test;

TEST(CliCommands, CampaignHelpListsItsOptionsItsKeysAndItsOutputDefault) {
  const CliRun r = run_cli({"campaign", "--help"});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"Usage: accsim campaign", "--config", "--seed", "--quiet", "--threads",
                           "[campaign.threads]", "<config name>.campaign.h5", "Config keys it reads",
                           "campaign", "docs/campaign.md"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  for (const char* absent : {"--epochs", "--train-limit", "--engine", "<config name>.h5"})
    EXPECT_EQ(r.out.find(absent), std::string::npos) << absent << "\n" << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CliCommands, EachCommandsHelpGivesItsOwnOutputDefault) {
  const std::vector<std::pair<std::string, std::string>> defaults = {
      {"run", "<config name>.h5"},         {"errmodel", "<config name>.errmodel.h5"},
      {"train", "<config name>.h5"},       {"pvf", "<config name>.pvf.h5"},
      {"campaign", "<config name>.campaign.h5"}};
  for (const auto& [command, out] : defaults) {
    const CliRun r = run_cli({command, "--help"});
    EXPECT_EQ(r.code, 0) << command;
    EXPECT_NE(r.out.find("default: " + out), std::string::npos) << command << "\n" << r.out;
  }
  const CliRun train = run_cli({"train", "--help"});
  for (const char* part : {"[training.train_limit]", "[training.epochs]", "[training.threads]", "[seed]", "--engine"})
    EXPECT_NE(train.out.find(part), std::string::npos) << part << "\n" << train.out;
}

TEST(CliCommands, TheGeneralHelpListsEveryCommand) {
  const CliRun r = run_cli({"--help"});
  ASSERT_EQ(r.code, 0);
  for (const char* command : {"  run ", "  errmodel ", "  train ", "  sweep ", "  dlrm ", "  campaign ", "  pvf ", "  train-campaign "})
    EXPECT_NE(r.out.find(command), std::string::npos) << command << "\n" << r.out;
  EXPECT_NE(r.out.find("accsim COMMAND --help"), std::string::npos) << r.out;
}

TEST(CliCommands, OptionsThatDoNotApplyAreRejectedWithExit2) {
  TempDir dir;
  const std::string out = (dir.path() / "x.h5").string();
  const std::string config = source_file("configs/small.json");
  struct Case {
    std::vector<std::string> args;
    std::string option, command;
  };
  const std::vector<Case> cases = {
      {{"run", "--epochs", "3"}, "--epochs", "run"},
      {{"--train-limit", "5"}, "--train-limit", "run"},
      {{"errmodel", "--threads", "2"}, "--threads", "errmodel"},
      {{"run", "--quiet"}, "--quiet", "run"},
      {{"campaign", "--epochs", "1"}, "--epochs", "campaign"},
      {{"pvf", "--engine", "fast"}, "--engine", "pvf"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--config", config, "--out", out});
    const CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 2) << c.option;
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find(c.option + " does not apply to `accsim " + c.command + "`"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_TRUE(files_containing(dir.path(), ".h5").empty()) << c.option;
  }
  const CliRun cycle = run_cli({"campaign", "--config", config, "--engine", "cycle"});
  EXPECT_NE(cycle.err.find("fast engine"), std::string::npos) << cycle.err;
}

// The flag and the key it overrides share one validation: --train-limit must leave the
// validation split alone, as training.train_limit must.
TEST(CliCommands, TrainLimitIsCheckedLikeTheKeyAndNeverReachesTheValidationImages) {
  TempDir dir;
  json j = small_config();
  j["training"] = {{"epochs", 1}, {"validation_size", 5000}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "t.h5").string();
  const CliRun flag = run_cli({"train", "--config", config, "--out", out, "--train-limit", "59999"});
  EXPECT_EQ(flag.code, 2);
  EXPECT_TRUE(exactly_one_line(flag.err)) << flag.err;
  for (const char* part : {"training.train_limit", "59999 is outside the allowed range [0, 55000]", "--train-limit"})
    EXPECT_NE(flag.err.find(part), std::string::npos) << part << ": " << flag.err;

  j["training"]["train_limit"] = 59999;
  const CliRun key = run_cli({"train", "--config", write_config(dir, j), "--out", out});
  EXPECT_EQ(key.code, 2);
  EXPECT_EQ(flag.err.substr(0, flag.err.find(" (set by")), key.err.substr(0, key.err.size() - 1));
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

TEST(CliCommands, OverridingFlagsReportTheKeyTheRangeAndTheFlag) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 4}, {"test_limit", 2}, {"batch", 2}, {"threads", 2}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "c.h5").string();
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {{"campaign", "--threads", "-1"}, {config + ": campaign.threads", "[0, 1024]", "--threads -1"}},
      {{"campaign", "--threads", "two"}, {"campaign.threads", "expected an integer", "--threads two"}},
      {{"train", "--epochs", "0"}, {"training.epochs", "[1, 10000]", "--epochs 0"}},
      {{"train", "--test-limit", "10001"}, {"training.test_limit", "[1, 10000]", "--test-limit 10001"}},
      {{"run", "--seed", "-1"}, {"seed", "[0, 9223372036854775807]", "--seed -1"}},
      {{"dlrm", "--threads", "2000", "--config", source_file("configs/experiments/dlrm_pytei.json")},
       {"dlrm_pytei.json: study.threads", "[0, 1024]", "--threads 2000"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    if (std::find(args.begin(), args.end(), "--config") == args.end()) args.insert(args.end(), {"--config", config});
    args.insert(args.end(), {"--out", out});
    const CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 2) << c.args[1];
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    for (const auto& part : c.expected) EXPECT_NE(r.err.find(part), std::string::npos) << part << ": " << r.err;
  }
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

// --threads reaches the run (the key when absent) and changes nothing but the speed.
TEST(CliCommands, ThreadsOverrideTheKeyAndLeaveResultsUnchanged) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 6}, {"test_limit", 3}, {"batch", 3}, {"threads", 2}, {"bits", {24, 31}}};
  const std::string config = write_config(dir, j);
  const CliRun two = run_cli({"campaign", "--config", config, "--out", (dir.path() / "a.h5").string()});
  const CliRun one =
      run_cli({"campaign", "--config", config, "--out", (dir.path() / "b.h5").string(), "--threads", "1"});
  ASSERT_EQ(two.code, 0) << two.err;
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_NE(two.out.find("run here on 2 threads"), std::string::npos) << two.out;
  EXPECT_NE(one.out.find("run here on 1 thread in"), std::string::npos) << one.out;
  const auto tables = [](const std::string& s) { return s.substr(s.find("\n\n")); };
  std::string a = tables(two.out), b = tables(one.out);
  a = a.substr(0, a.find("results:"));
  b = b.substr(0, b.find("results:"));
  EXPECT_EQ(a, b);
}

// Every option that sets something a config sets is one of the command's flag_keys (so it
// is written into the config and checked there), and each of them, for every command,
// is refused out of range with the key's message and the flag named.
TEST(CliCommands, EveryOverridingFlagOfEveryCommandIsCheckedByItsKeysValidation) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}};
  j["pvf"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}};
  j["sweep"] = {{"grid", {{"array.atomic_c", {8}}}}};
  j["train_campaign"] = {{"experiments", 2}, {"steps", 2}};
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "o.h5").string();
  int checked = 0;
  for (const CommandSpec& c : command_table()) {
    for (const std::string& option : c.options) {
      const bool overrides = std::any_of(c.flag_keys.begin(), c.flag_keys.end(),
                                         [&](const FlagKey& f) { return f.flag == option; });
      // --experiment (replay) names no config key: replay checks it against the run (ReplayCommand tests).
      EXPECT_TRUE(overrides || option == "engine" || option == "quiet" || option == "experiment")
          << "accsim " << c.name << " --" << option << " sets something without a config key's validation";
    }
    for (const FlagKey& f : c.flag_keys) {
      const std::string cfg = c.name == "dlrm" ? source_file("configs/experiments/dlrm_pytei.json") : config;
      const CliRun r = run_cli({c.name, "--config", cfg, "--out", out, "--" + f.flag, "-1"});
      EXPECT_EQ(r.code, 2) << c.name << " --" << f.flag << ": " << r.err;
      EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
      for (const std::string& part : std::vector<std::string>{": " + f.key + ": ", "is outside the allowed range", "(set by --" + f.flag + " -1)"})
        EXPECT_NE(r.err.find(part), std::string::npos) << c.name << " --" << f.flag << " lacks [" << part << "]: " << r.err;
      ++checked;
    }
  }
  EXPECT_GE(checked, 12);
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

}  // namespace
}  // namespace accsim
