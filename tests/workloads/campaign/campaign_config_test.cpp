// The "campaign" object of a run config: defaults, and clear errors for bad values.
#include "workloads/campaign/campaign_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "arch/input_error.h"
#include "test_util.h"
#include "workloads/run/run_config.h"

namespace accsim {
namespace {

using nlohmann::json;

CampaignConfig parse(const json& campaign, const std::string& file = "cfg.json") {
  const json top = {{"campaign", campaign}};
  ConfigReader r(top, file, "");
  return parse_campaign_config(r.get_object("campaign"), testing::preset("small"), file);
}

std::string error_of(const json& campaign) {
  try {
    parse(campaign);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(CampaignConfig, OnlyExperimentsIsRequiredAndTheDefaultsAreDocumented) {
  const CampaignConfig c = parse({{"experiments", 7}});
  EXPECT_EQ(c.experiments, 7);
  EXPECT_EQ(c.model, "");
  EXPECT_EQ(c.test_offset, 0);
  EXPECT_EQ(c.test_limit, 100);
  EXPECT_EQ(c.batch, 16);
  EXPECT_EQ(c.sites.size(), 5u);
  EXPECT_EQ(c.kinds.size(), 3u);
  EXPECT_EQ(c.bit_lo, 0);
  EXPECT_EQ(c.bit_hi, 31);
  EXPECT_EQ(c.threads, 0);
  EXPECT_DOUBLE_EQ(c.checkpoint_seconds, 5.0);
}

TEST(CampaignConfig, SubsetsKeepTheirOrder) {
  const CampaignConfig a = parse({{"experiments", 3}, {"sites", {"psum", "weight"}}, {"kinds", {"transient"}},
                                  {"bits", {20, 30}}, {"threads", 1}});
  EXPECT_EQ(a.sites, (std::vector<FaultSite>{FaultSite::psum, FaultSite::weight}));
  EXPECT_EQ(a.kinds, (std::vector<FaultKind>{FaultKind::transient}));
  EXPECT_EQ(a.bit_lo, 20);
  EXPECT_EQ(a.bit_hi, 30);
  EXPECT_EQ(a.threads, 1);
}

TEST(CampaignConfig, BadValuesNameTheFileTheJsonPathAndTheAllowedRange) {
  struct Case {
    json campaign;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {json::object(), {"cfg.json", "campaign.experiments", "required"}},
      {{{"experiments", 0}}, {"campaign.experiments", "[1, 100000000]"}},
      {{{"experiments", 5}, {"test_offset", 10000}}, {"campaign.test_offset", "[0, 9999]"}},
      {{{"experiments", 5}, {"test_offset", 9990}, {"test_limit", 20}}, {"campaign.test_limit", "[1, 10]"}},
      {{{"experiments", 5}, {"batch", 0}}, {"campaign.batch", "[1, 10000]"}},
      {{{"experiments", 5}, {"sites", {"wire"}}}, {"campaign.sites[0]", "\"wire\"", "weight, input, product, psum, accumulator"}},
      {{{"experiments", 5}, {"sites", json::array()}}, {"campaign.sites", "non-empty"}},
      {{{"experiments", 5}, {"sites", {"psum", "psum"}}}, {"campaign.sites[1]", "twice"}},
      {{{"experiments", 5}, {"kinds", {"stuck_at_2"}}}, {"campaign.kinds[0]", "stuck_at_0, stuck_at_1, transient"}},
      {{{"experiments", 5}, {"bits", {5, 3}}}, {"campaign.bits", "lo <= hi"}},
      {{{"experiments", 5}, {"bits", {0, 32}}}, {"campaign.bits[1]", "[0, 31]"}},
      {{{"experiments", 5}, {"threads", -1}}, {"campaign.threads", "[0, 1024]"}},
      {{{"experiments", 5}, {"checkpoint_seconds", 0}}, {"campaign.checkpoint_seconds", "[0.1, 86400]"}},
      {{{"experiments", 5}, {"model", "no/such/model.h5"}}, {"campaign.model", "no/such/model.h5", "does not exist"}},
      {{{"experiments", 5}, {"experiment", 5}}, {"campaign.experiment"}},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.campaign);
    for (const std::string& part : c.expected) EXPECT_NE(e.find(part), std::string::npos) << c.campaign.dump() << " -> " << e;
  }
}

TEST(CampaignConfig, ARelativeModelPathIsReadFromTheConfigsFolder) {
  const auto dir = std::filesystem::temp_directory_path() / ("accsim_campaign_model_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "m.h5") << "x";
  const CampaignConfig c = parse({{"experiments", 1}, {"model", "m.h5"}}, (dir / "cfg.json").string());
  EXPECT_EQ(c.model, (dir / "m.h5").string());
  std::filesystem::remove_all(dir);
}

TEST(CampaignConfig, ARunConfigWithoutCampaignHasNoneAndOneWithItParsesIt) {
  const std::string file = std::string(ACCSIM_SOURCE_DIR) + "/configs/experiments/campaign_lenet5.json";
  const RunConfig rc = parse_run_config(file);
  ASSERT_TRUE(rc.campaign.has_value());
  EXPECT_EQ(rc.campaign->experiments, 500);
  EXPECT_NE(rc.campaign->model.find("lenet5_fashion_mnist.h5"), std::string::npos);
  EXPECT_FALSE(parse_run_config(std::string(ACCSIM_SOURCE_DIR) + "/configs/small.json").campaign.has_value());
}

}  // namespace
}  // namespace accsim
