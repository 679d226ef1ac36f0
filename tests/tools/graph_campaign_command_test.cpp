// `accsim campaign` on a graph model (workload.model): exit code, table, results file,
// mitigation variants, and the keys refused with a model.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/tiny_classifier.h"
#include "workloads/io/results_file.h"
#include "workloads/run/run_config.h"

namespace accsim {
namespace {

using namespace cli_test;

json tiny_graph_campaign_config(const TempDir& dir) {
  testing::save_tiny_classifier((dir.path() / "tiny.onnx").string());
  json j = small_config();
  j.erase("faults");
  j["workload"] = {{"model", "tiny.onnx"}, {"batch", 4}};
  j["campaign"] = {{"experiments", 12}, {"test_limit", 6}, {"batch", 4}, {"threads", 2}, {"bits", {16, 31}}};
  return j;
}

TEST(GraphCampaignCommand, RunsTheGraphModelAndWritesEveryExperimentWithItsNodeTrace) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_graph_campaign_config(dir));
  const std::string out = (dir.path() / "c.h5").string();
  const CliRun r = run_cli({"campaign", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"ONNX model", "(9 nodes, 4 on the array)", "fault-free accuracy 100.0%", "12 experiments",
                           "by site", "by kind", "by bit", "bit 31", "results: "})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_NE(r.err.find("synthetic images"), std::string::npos) << r.err;

  EXPECT_EQ(read_strings(out, "/layer_names"), (std::vector<std::string>{"conv1", "conv2", "conv3", "fc"}));
  EXPECT_EQ(read_int64s(out, "/experiments/outcome").size(), 12u);
  EXPECT_EQ(read_int64s(out, "/experiments/layer_index").size(), 12u);
  std::vector<hsize_t> dims;
  read_int64_array(out, "/experiments/trace", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{12, 4}));
  EXPECT_EQ(read_table(out, "/summary/by_site").columns[0].size(), 5u);
  EXPECT_EQ(read_int64_attribute(out, "/", "batches"), 2);
  EXPECT_EQ(read_int64_attribute(out, "/", "golden_correct"), 6);
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty());
}

TEST(GraphCampaignCommand, MitigationVariantsOnAModelPrintTheMitigationsTableAndWriteTheGroup) {
  TempDir dir;
  json j = tiny_graph_campaign_config(dir);
  j["campaign"]["mitigations"] = json::array({{{"name", "clip1"}, {"activation_clip", {{"mode", "saturate"}, {"threshold", 1}}}},
                                              {{"name", "abft"}, {"check", "abft"}},
                                              {{"name", "prune"}, {"prune_faulty_weights", true}}});
  const std::string config = write_config(dir, j);
  const std::string out = (dir.path() / "m.h5").string();
  const CliRun r = run_cli({"campaign", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"under 3 mitigation variants", "DUE % [95% Wilson]", "\nunprotected ", "\nclip1 ", "\nabft ",
                           "\nprune ", "  clip1: clip saturate 1"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_EQ(read_strings(out, "/mitigations/names"), (std::vector<std::string>{"clip1", "abft", "prune"}));
  std::vector<hsize_t> dims;
  read_int64_array(out, "/mitigations/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{12, 3}));
}

TEST(GraphCampaignCommand, ClippingAModelWithoutReluExitsWith2AndOneLineNamingTheKey) {
  TempDir dir;
  testing::OnnxBuilder b;  // x -> Flatten -> Gemm -> logits: no Relu
  b.input("x", {0, 1, 4, 4}).output("logits").floats("fc.weight", {10, 16}, std::vector<float>(160, 0.25f));
  b.node("Flatten", {"x"}, {"f"}, "flatten");
  testing::OnnxBuilder::int_attribute(b.node("Gemm", {"f", "fc.weight"}, {"logits"}, "fc"), "transB", 1);
  b.save((dir.path() / "linear.onnx").string());
  json j = tiny_graph_campaign_config(dir);
  j["workload"]["model"] = "linear.onnx";
  j["campaign"]["mitigations"] = json::array({{{"name", "abft"}, {"check", "abft"}},
                                              {{"name", "clip"}, {"activation_clip", {{"mode", "zero"}}}}});
  const std::string config = write_config(dir, j);
  const CliRun r = run_cli({"campaign", "--config", config, "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  for (const std::string& part : {config, std::string("campaign.mitigations[1].activation_clip"), std::string("Relu")})
    EXPECT_NE(r.err.find(part), std::string::npos) << part << ": " << r.err;
  EXPECT_TRUE(files_containing(dir.path(), "x.h5").empty());
}

TEST(GraphCampaignCommand, TheShippedResNetExperimentConfigParses) {
  const RunConfig rc = parse_run_config(source_file("configs/experiments/campaign_resnet_fmnist.json"));
  ASSERT_TRUE(rc.campaign.has_value());
  ASSERT_TRUE(rc.workload.graph);
  EXPECT_EQ(rc.campaign->sites.size(), 5u);
  EXPECT_EQ(rc.campaign->kinds.size(), 3u);
}

TEST(GraphCampaignCommand, TheShippedResNetMitigationsConfigParsesWithTheLeNetStudysVariants) {
  const RunConfig rc = parse_run_config(source_file("configs/experiments/campaign_resnet_fmnist_mitigations.json"));
  ASSERT_TRUE(rc.campaign.has_value());
  ASSERT_TRUE(rc.workload.graph);
  std::vector<std::string> names;
  for (const auto& v : rc.campaign->mitigations) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"clip6", "ftclip", "protect_sign_exp", "abft", "dup", "prune"}));
  EXPECT_EQ(rc.campaign->experiments, 500);
}

}  // namespace
}  // namespace accsim
