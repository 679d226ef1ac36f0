// `accsim pvf` end to end: the results, CSV and checkpoint files, and bad configs.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json tiny_pvf_config() {
  json j = small_config();
  j.erase("faults");
  j["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"conv2", "fc3"}}};
  j["pvf"] = {{"experiments", 20},
              {"test_limit", 10},
              {"batch", 5},
              {"threads", 2},
              {"mitigations", {{{"name", "protect_exp"}, {"protect_bits", {30, 29, 28, 27, 26, 25, 24, 23}}}}}};
  return j;
}

TEST(PvfCommand, WritesResultsCsvAndNoCheckpoint) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_pvf_config());
  const std::string out = (dir.path() / "p.h5").string();
  const CliRun r = run_cli({"pvf", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"40 experiments", "PVF by target", "conv2", "fc3", "PVF by bit position", "protect_exp",
                           "recovery", "results: "})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_NE(r.err.find("pvf.model"), std::string::npos) << r.err;  // the untrained-model note
  std::vector<hsize_t> dims;
  read_int64_array(out, "/experiments/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{40, 2}));
  EXPECT_EQ(read_strings(out, "/variants"), (std::vector<std::string>{"unprotected", "protect_exp"}));
  EXPECT_EQ(read_table(out, "/summary/by_target").columns[0].size(), 4u);  // 2 variants x 2 targets
  EXPECT_TRUE(fs::exists(dir.path() / "p.csv"));
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty());
}

TEST(PvfCommand, BadConfigsNameTheKeyAndWriteNothing) {
  TempDir dir;
  const std::string out = (dir.path() / "p.h5").string();
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j.erase("pvf"); }, "parameter_faults: only `accsim pvf` reads it"},
      {[](json& j) { j["pvf"]["mitigations"][0] = {{"name", "abft"}, {"check", "abft"}}; },
       "pvf.mitigations[0].check: job checks do not apply to parameter faults"},
      {[](json& j) { j["pvf"]["experiments"] = 0; }, "pvf.experiments"},
      {[](json& j) { j["parameter_faults"]["targets"] = {"conv9"}; }, "parameter_faults.targets[0]"},
      {[](json& j) { j["pvf"]["mitigations"][0]["name"] = "unprotected"; }, "pvf.mitigations[0].name"},
  };
  for (const Case& c : cases) {
    json j = tiny_pvf_config();
    c.edit(j);
    const CliRun r = run_cli({"pvf", "--config", write_config(dir, j), "--out", out});
    EXPECT_NE(r.code, 0) << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
  const CliRun cycle = run_cli({"pvf", "--config", write_config(dir, tiny_pvf_config()), "--engine", "cycle"});
  EXPECT_EQ(cycle.code, 2);
}

}  // namespace
}  // namespace accsim
