// `accsim pvf` with pvf.stop end to end: the strata table in the terminal, HDF5 and
// CSV, and bad stop keys exit 2 naming the key, writing nothing.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json adaptive_config() {
  json j = small_config();
  j.erase("faults");
  j["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"},
                           {"targets", {{{"name", "fc3"}, {"tensors", {"fc3"}}, {"bits", {30, 20}}}}}};
  j["pvf"] = {{"test_limit", 10},
              {"batch", 5},
              {"threads", 2},
              {"stop", {{"half_width", 0.15}, {"strata", {"target", "bit"}}, {"round", 20}, {"max_per_stratum", 60}}}};
  return j;
}

TEST(PvfAdaptiveCommand, WritesTheStrataNextToTheFixedCount) {
  TempDir dir;
  const std::string out = (dir.path() / "p.h5").string();
  const CliRun r = run_cli({"pvf", "--config", write_config(dir, adaptive_config()), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"Adaptive stopping", "fc3 bit 30", "fc3 bit 20", "a fixed count reaching every"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_EQ(read_strings(out, "/summary/strata/name"), (std::vector<std::string>{"fc3 bit 20", "fc3 bit 30"}));
  for (std::int64_t spent : read_int64s(out, "/summary/strata/experiments")) EXPECT_EQ(spent % 20, 0);
  EXPECT_TRUE(fs::exists(dir.path() / "p_strata.csv"));
  EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty());
}

// The strata CSV is guarded like every output: when it would replace an input (the
// config, named p_strata.csv) the run is refused before anything is written.
TEST(PvfAdaptiveCommand, AStrataTableThatWouldReplaceAnInputIsRefused) {
  TempDir dir;
  const std::string config = write_file(dir.path() / "p_strata.csv", adaptive_config().dump());
  const CliRun r = run_cli({"pvf", "--config", config, "--out", (dir.path() / "p.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("p_strata.csv"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir.path() / "p.h5"));
  EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty());
}

TEST(PvfAdaptiveCommand, BadStopKeysNameTheKeyExitTwoAndWriteNothing) {
  TempDir dir;
  const std::string out = (dir.path() / "p.h5").string();
  const std::vector<std::pair<std::function<void(json&)>, std::string>> cases = {
      {[](json& j) { j["pvf"]["stop"]["half_width"] = 0.7; }, "pvf.stop.half_width"},
      {[](json& j) { j["pvf"]["stop"]["half_width"] = 0; }, "pvf.stop.half_width"},
      {[](json& j) { j["pvf"]["stop"]["strata"] = {"layer"}; }, "pvf.stop.strata"},
      {[](json& j) { j["pvf"]["stop"]["strata"] = json::array(); }, "pvf.stop.strata"},
      {[](json& j) { j["pvf"]["stop"]["strata"] = {"bit", "bit"}; }, "pvf.stop.strata"},
      {[](json& j) { j["pvf"]["stop"]["round"] = 5; }, "pvf.stop.round"},
      {[](json& j) { j["pvf"]["stop"]["max_per_stratum"] = 10; }, "pvf.stop.max_per_stratum"},
      {[](json& j) { j["pvf"]["stop"]["width"] = 0.1; }, "pvf.stop.width: unknown key"},
      {[](json& j) { j["pvf"]["experiments"] = 100; }, "pvf.experiments: an adaptive run"},
  };
  for (const auto& [edit, expected] : cases) {
    json j = adaptive_config();
    edit(j);
    const CliRun r = run_cli({"pvf", "--config", write_config(dir, j), "--out", out});
    EXPECT_EQ(r.code, 2) << expected;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

}  // namespace
}  // namespace accsim
