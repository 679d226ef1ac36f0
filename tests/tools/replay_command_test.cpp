// `accsim replay` end to end: a replayed experiment's record equals its row in the
// campaign's results file; a bad --experiment exits 2 naming the key and the range.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "tools/cli_test_util.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json replay_campaign_config() {
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 12}, {"test_limit", 6}, {"batch", 4}, {"threads", 2}, {"bits", {24, 31}}};
  return j;
}

TEST(ReplayCommand, AReplayedExperimentEqualsItsRowInTheCampaignResults) {
  TempDir dir;
  const std::string config = write_config(dir, replay_campaign_config());
  const std::string campaign = (dir.path() / "c.h5").string(), replay = (dir.path() / "r.h5").string();
  ASSERT_EQ(run_cli({"campaign", "--config", config, "--out", campaign}).code, 0);
  {  // the per-experiment CSV beside it: a header and one row per experiment
    std::ifstream csv((dir.path() / "c.csv").string());
    std::string line;
    ASSERT_TRUE(std::getline(csv, line));
    EXPECT_NE(line.find(",image,golden_top1,faulty_top1,margin,nonfinite_node"), std::string::npos) << line;
    int rows = 0;
    while (std::getline(csv, line)) ++rows;
    EXPECT_EQ(rows, 12);
  }
  for (long long index : {3LL, 11LL}) {
    const CliRun r = run_cli({"replay", "--config", config, "--experiment", std::to_string(index), "--out", replay});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("outcome: "), std::string::npos) << r.out;
    const auto i = static_cast<std::size_t>(index);
    for (const char* d : {"outcome", "bit", "row", "col", "cycle", "layer_index", "correct_to_wrong", "nonfinite_images",
                          "image", "golden_top1", "faulty_top1", "nonfinite_node_index"})
      EXPECT_EQ(read_int64s(replay, std::string("/experiment/") + d).at(0),
                read_int64s(campaign, std::string("/experiments/") + d).at(i))
          << d;
    const double a = read_doubles(replay, "/experiment/margin").at(0), b = read_doubles(campaign, "/experiments/margin").at(i);
    EXPECT_TRUE(a == b || (std::isnan(a) && std::isnan(b))) << a << " " << b;
    EXPECT_EQ(read_strings(replay, "/experiment/site"), (std::vector<std::string>{read_strings(campaign, "/experiments/site").at(i)}));
    EXPECT_EQ(read_int64_attribute(replay, "/", "experiment"), index);
    EXPECT_EQ(read_strings(replay, "/node_names"), read_strings(campaign, "/node_names"));
  }
}

TEST(ReplayCommand, AnExperimentOutsideTheCampaignExitsTwoNamingTheKeyAndTheRange) {
  TempDir dir;
  const std::string config = write_config(dir, replay_campaign_config());
  const std::string out = (dir.path() / "r.h5").string();
  for (const char* bad : {"12", "-1", "three"}) {
    const CliRun r = run_cli({"replay", "--config", config, "--experiment", bad, "--out", out});
    EXPECT_EQ(r.code, 2) << bad;
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("--experiment"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("[0, 11]"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
  const CliRun missing = run_cli({"replay", "--config", config, "--out", out});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.err.find("--experiment: required"), std::string::npos) << missing.err;
}

TEST(ReplayCommand, APvfExperimentReplaysEqualToItsRowWithItsInjection) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"conv2", "fc3"}}};
  j["pvf"] = {{"experiments", 10}, {"test_limit", 10}, {"batch", 5}, {"threads", 2},
              {"mitigations", {{{"name", "protect30"}, {"protect_bits", {30}}}}}};
  const std::string config = write_config(dir, j);
  const std::string run = (dir.path() / "p.h5").string(), replay = (dir.path() / "r.h5").string();
  ASSERT_EQ(run_cli({"pvf", "--config", config, "--out", run}).code, 0);
  for (std::size_t index : {4u, 17u}) {
    const CliRun r = run_cli({"replay", "--config", config, "--experiment", std::to_string(index), "--out", replay});
    ASSERT_EQ(r.code, 0) << r.err;
    for (const char* d : {"model_index", "target_index", "image", "bit_flips", "bit", "tensor", "element"})
      EXPECT_EQ(read_int64s(replay, std::string("/experiment/") + d).at(0),
                read_int64s(run, std::string("/experiments/") + d).at(index))
          << d;
    std::vector<hsize_t> a, b;
    const std::vector<std::int64_t> outcome = read_int64_array(replay, "/experiment/outcome", a);
    const std::vector<std::int64_t> all = read_int64_array(run, "/experiments/outcome", b);
    ASSERT_EQ(a, (std::vector<hsize_t>{1, 2}));
    EXPECT_EQ(outcome, std::vector<std::int64_t>(all.begin() + 2 * index, all.begin() + 2 * index + 2));
    EXPECT_EQ(read_int64s(replay, "/injection/element").at(0), read_int64s(run, "/experiments/element").at(index));
    EXPECT_EQ(read_doubles(replay, "/injection/new_value").at(0), read_doubles(run, "/experiments/new_value").at(index));
  }
  const CliRun bad = run_cli({"replay", "--config", config, "--experiment", "20", "--out", replay + "x"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("[0, 19]"), std::string::npos) << bad.err;
}

// An adaptive run's experiment is named by its stratum and sample (its row's
// /experiments/stratum and /experiments/sample); its record adds the image's whole runs.
TEST(ReplayCommand, AnAdaptivePvfExperimentReplaysByStratumAndSample) {
  TempDir dir;
  json j = small_config();
  j.erase("faults");
  j["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"conv2", "fc3"}}};
  j["workload"]["parameters"] = trained_lenet5();  // no note on stderr: a refusal is its one line
  j["pvf"] = {{"test_limit", 10}, {"batch", 5}, {"threads", 2},
              {"stop", {{"half_width", 0.2}, {"strata", {"target"}}, {"round", 10}, {"max_per_stratum", 30}}}};
  const std::string config = write_config(dir, j);
  const std::string run = (dir.path() / "p.h5").string(), replay = (dir.path() / "r.h5").string();
  ASSERT_EQ(run_cli({"pvf", "--config", config, "--out", run}).code, 0);
  const std::size_t row = 13;
  const std::string id = std::to_string(read_int64s(run, "/experiments/stratum").at(row)) + ":" +
                         std::to_string(read_int64s(run, "/experiments/sample").at(row));
  const CliRun r = run_cli({"replay", "--config", config, "--experiment", id, "--out", replay});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("pvf experiment " + id + " (stratum:sample)"), std::string::npos) << r.out;
  for (const char* d : {"stratum", "sample", "model_index", "target_index", "image", "bit", "tensor", "element"})
    EXPECT_EQ(read_int64s(replay, std::string("/experiment/") + d).at(0),
              read_int64s(run, std::string("/experiments/") + d).at(row))
        << d;
  std::vector<hsize_t> a, b;
  EXPECT_EQ(read_int64_array(replay, "/experiment/outcome", a).at(0), read_int64_array(run, "/experiments/outcome", b).at(row));
  EXPECT_EQ(read_int64s(replay, "/images/labels").size(), 1u);
  for (const char* bad : {"13", "1:x", "0:30", "2:0", ":"}) {
    const CliRun refused = run_cli({"replay", "--config", config, "--experiment", bad, "--out", replay + "x"});
    EXPECT_EQ(refused.code, 2) << bad;
    EXPECT_TRUE(exactly_one_line(refused.err)) << refused.err;
    EXPECT_NE(refused.err.find("--experiment"), std::string::npos) << refused.err;
    EXPECT_FALSE(fs::exists(replay + "x"));
  }
}

}  // namespace
}  // namespace accsim
