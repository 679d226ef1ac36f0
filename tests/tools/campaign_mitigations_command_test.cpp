// `accsim campaign` with mitigation variants: the mitigations table, the /mitigations
// group, and configs it refuses.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/io/results_file.h"
#include "workloads/run/run_config.h"

namespace accsim {
namespace {

using namespace cli_test;

json mitigation_campaign_config() {
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 10},
                   {"test_limit", 4},
                   {"batch", 2},
                   {"threads", 2},
                   {"bits", {24, 31}},
                   {"mitigations",
                    json::array({{{"name", "clip6"}, {"activation_clip", {{"mode", "saturate"}, {"threshold", 6}}}},
                                 {{"name", "protect_exp"}, {"protect_bits", {30, 29, 28, 27, 26, 25, 24, 23}}},
                                 {{"name", "abft"}, {"check", "abft"}}})}};
  return j;
}

TEST(CampaignMitigationsCommand, PrintsTheMitigationsTableAndWritesTheMitigationsGroup) {
  TempDir dir;
  const std::string config = write_config(dir, mitigation_campaign_config());
  const std::string out = (dir.path() / "m.h5").string();
  const CliRun r = run_cli({"campaign", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"under 3 mitigation variants", "mitigations: the same faults", "DUE % [95% Wilson]",
                           "recovery", "detected", "storage", "\nunprotected ", "\nclip6 ", "\nprotect_exp ",
                           "\nabft ", "25.0%", "fault-free: 0 of ", "  abft: abft; images turned wrong per experiment ", "  clip6: clip saturate 6"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;

  EXPECT_EQ(read_strings(out, "/mitigations/names"), (std::vector<std::string>{"clip6", "protect_exp", "abft"}));
  EXPECT_EQ(read_strings(out, "/mitigations/descriptions")[2], "abft");
  std::vector<hsize_t> dims;
  const auto outcome = read_int64_array(out, "/mitigations/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{10, 3}));
  for (std::int64_t o : outcome) EXPECT_TRUE(o >= 0 && o <= 3);
  const ResultsTable t = read_table(out, "/mitigations/summary");
  ASSERT_EQ(t.column_names.at(0), "experiments");
  EXPECT_EQ(t.columns.at(0), (std::vector<double>{10, 10, 10}));
  const auto col = [&](const std::string& name) {
    for (std::size_t i = 0; i < t.column_names.size(); ++i)
      if (t.column_names[i] == name) return t.columns[i];
    ADD_FAILURE() << "no column " << name;
    return std::vector<double>{};
  };
  EXPECT_DOUBLE_EQ(col("storage_overhead").at(1), 8.0 / 32.0);
  EXPECT_GT(col("cycle_overhead").at(2), 0.0);
  EXPECT_DOUBLE_EQ(col("cycle_overhead").at(0), 0.0);
}

TEST(CampaignMitigationsCommand, BadVariantsAndTopLevelChecksExitWith2NamingThePath) {
  TempDir dir;
  json duplicate_names = mitigation_campaign_config();
  duplicate_names["campaign"]["mitigations"][2]["name"] = "clip6";
  json bad_bit = mitigation_campaign_config();
  bad_bit["campaign"]["mitigations"][1]["protect_bits"][0] = 99;
  json top_level = mitigation_campaign_config();
  top_level["mitigations"] = {{"check", "abft"}};
  struct Case {
    json config;
    std::vector<std::string> expected;
  };
  for (const Case& c : {Case{duplicate_names, {"campaign.mitigations[2].name", "already"}},
                        Case{bad_bit, {"campaign.mitigations[1].protect_bits[0]", "[0, 31]"}},
                        Case{top_level, {"mitigations", "campaign.mitigations"}}}) {
    const std::string config = write_config(dir, c.config);
    const CliRun r = run_cli({"campaign", "--config", config, "--out", (dir.path() / "x.h5").string()});
    EXPECT_EQ(r.code, 2) << c.config.dump();
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find(config), std::string::npos) << r.err;
    for (const auto& part : c.expected) EXPECT_NE(r.err.find(part), std::string::npos) << part << ": " << r.err;
  }
}

TEST(CampaignMitigationsCommand, TheShippedMitigationsConfigParses) {
  const RunConfig rc = parse_run_config(source_file("configs/experiments/campaign_lenet5_mitigations.json"));
  ASSERT_TRUE(rc.campaign.has_value());
  std::vector<std::string> names;
  for (const auto& v : rc.campaign->mitigations) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"clip6", "ftclip", "protect_sign_exp", "abft", "dup", "prune"}));
}

}  // namespace
}  // namespace accsim
