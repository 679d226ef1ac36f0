// `accsim campaign` end to end: the results file, resuming, and bad configs.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/io/results_file.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/run/run_config.h"

namespace accsim {
namespace {

using namespace cli_test;

json tiny_campaign_config() {
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 12}, {"test_limit", 6}, {"batch", 4}, {"threads", 2}, {"bits", {16, 31}}};
  return j;
}

TEST(CampaignCommand, HelpListsTheCampaignCommand) {
  const CliRun r = run_cli({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("campaign "), std::string::npos) << r.out;
}

TEST(CampaignCommand, WritesTheResultsFileAndLeavesNoPartialOrCheckpointFile) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_campaign_config());
  const std::string out = (dir.path() / "c.h5").string();
  const CliRun r = run_cli({"campaign", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"12 experiments", "by site", "by kind", "by bit", "bit 31", "SDC", "crash", "results: "})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  // stderr holds the untrained-model note only: no progress lines outside a real stderr.
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("campaign.model"), std::string::npos) << r.err;

  EXPECT_EQ(read_int64s(out, "/experiments/outcome").size(), 12u);
  EXPECT_EQ(read_strings(out, "/experiments/site").size(), 12u);
  std::vector<hsize_t> dims;
  read_int64_array(out, "/experiments/trace", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{12, 5}));
  EXPECT_EQ(read_table(out, "/summary/by_bit").columns[0].size(), 16u);
  EXPECT_EQ(read_table(out, "/summary/by_site").columns[0].size(), 5u);
  EXPECT_EQ(read_int64_attribute(out, "/", "seed"), 1);
  const double sdc = read_double_attribute(out, "/", "sdc_rate");
  EXPECT_LE(read_double_attribute(out, "/", "sdc_lo"), sdc);
  EXPECT_GE(read_double_attribute(out, "/", "sdc_hi"), sdc);
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty());
}

TEST(CampaignCommand, AnInterruptedCampaignResumesToTheSameResults) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_campaign_config());
  const std::string fresh = (dir.path() / "fresh.h5").string(), resumed = (dir.path() / "resumed.h5").string();
  ASSERT_EQ(run_cli({"campaign", "--config", config, "--out", fresh}).code, 0);
  {  // a run killed after 5 experiments leaves this checkpoint behind
    std::ostringstream notes;
    const CampaignSource src = load_campaign(parse_run_config(config), 1, notes);
    CampaignRunOptions o;
    o.checkpoint = checkpoint_path(resumed);
    o.max_experiments = 5;
    ASSERT_FALSE(run_campaign(src.campaign, o).complete());
  }
  const CliRun r = run_cli({"campaign", "--config", config, "--out", resumed});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("5 resumed from"), std::string::npos) << r.out;
  for (const char* d : {"/experiments/outcome", "/experiments/bit", "/experiments/cycle", "/experiments/correct_to_wrong",
                        "/experiments/nonfinite_images"})
    EXPECT_EQ(read_int64s(fresh, d), read_int64s(resumed, d)) << d;
  std::vector<hsize_t> a, b;
  EXPECT_EQ(read_int64_array(fresh, "/experiments/trace", a), read_int64_array(resumed, "/experiments/trace", b));
  EXPECT_FALSE(fs::exists(checkpoint_path(resumed)));
}

TEST(CampaignCommand, ACheckpointOfAnotherSeedIsRefusedAndKept) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_campaign_config());
  const std::string out = (dir.path() / "c.h5").string();
  {
    std::ostringstream notes;
    const CampaignSource src = load_campaign(parse_run_config(config), 1, notes);
    CampaignRunOptions o;
    o.checkpoint = checkpoint_path(out);
    o.max_experiments = 3;
    run_campaign(src.campaign, o);
  }
  const CliRun r = run_cli({"campaign", "--config", config, "--out", out, "--seed", "2"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("another campaign"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(checkpoint_path(out)));
  EXPECT_FALSE(fs::exists(out));
}

TEST(CampaignCommand, BadCampaignConfigsExitWith2AndOneLineNamingThePath) {
  TempDir dir;
  struct Case {
    json config;
    std::vector<std::string> expected;
  };
  json no_campaign = small_config();
  no_campaign.erase("faults");
  json with_faults = tiny_campaign_config();
  with_faults["faults"] = small_config()["faults"];
  json bad_bits = tiny_campaign_config();
  bad_bits["campaign"]["bits"] = {3, 40};
  json unknown = tiny_campaign_config();
  unknown["campaign"]["experimentz"] = 3;
  for (const Case& c : {Case{no_campaign, {"campaign", "required"}}, Case{with_faults, {"faults", "draws its own"}},
                        Case{bad_bits, {"campaign.bits[1]", "[0, 31]"}}, Case{unknown, {"campaign.experimentz"}}}) {
    const std::string config = write_config(dir, c.config);
    const CliRun r = run_cli({"campaign", "--config", config, "--out", (dir.path() / "x.h5").string()});
    EXPECT_EQ(r.code, 2) << c.config.dump();
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find(config), std::string::npos) << r.err;
    for (const auto& part : c.expected) EXPECT_NE(r.err.find(part), std::string::npos) << part << ": " << r.err;
    EXPECT_TRUE(files_containing(dir.path(), "x.h5").empty());
  }
}

TEST(CampaignCommand, TheCycleEngineIsRefusedForCampaigns) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_campaign_config());
  const CliRun r = run_cli({"campaign", "--config", config, "--engine", "cycle"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("fast engine"), std::string::npos) << r.err;
}

TEST(CampaignCommand, TheShippedExperimentConfigParses) {
  const RunConfig rc = parse_run_config(source_file("configs/experiments/campaign_lenet5.json"));
  ASSERT_TRUE(rc.campaign.has_value());
  EXPECT_TRUE(rc.faults.empty());
}

}  // namespace
}  // namespace accsim
