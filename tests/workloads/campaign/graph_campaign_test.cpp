// Campaigns on graph models (workload.model): the same results for any thread count and
// with or without the incremental rerun, interrupted runs that resume to the same
// results, a key that covers the model, and what is refused (mitigation variants:
// tests/workloads/mitigations/graph_campaign_mitigations_test.cpp).
#include "workloads/campaign/graph_campaign.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "arch/input_error.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/campaign/experiment_record_check.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/models/tiny_classifier.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using testing::TempDir;

// The tiny classifier on the small array: 5 synthetic inputs (the model's input is not
// [N,1,28,28]) labelled with its own predictions, in batches of 2, 2 and 1.
json tiny_config(const TempDir& dir, long long experiments, int threads) {
  testing::save_tiny_classifier(dir.file("tiny.onnx"));
  json j = testing::ideal_config("small");
  j.erase("faults");
  j["workload"] = {{"model", "tiny.onnx"}, {"batch", 2}};
  j["seed"] = 9;
  j["campaign"] = {{"experiments", experiments}, {"test_limit", 5}, {"batch", 2}, {"threads", threads},
                   {"bits", {18, 31}}};
  return j;
}

CampaignSource load(const TempDir& dir, const json& j) {
  std::ostringstream notes;
  CampaignSource src = load_campaign(parse_run_config_json(j, dir.file("config.json")), 9, notes);
  EXPECT_NE(notes.str().find("synthetic images"), std::string::npos) << notes.str();
  return src;
}

void expect_same_results(const CampaignResults& a, const CampaignResults& b) {
  ASSERT_EQ(a.experiments.size(), b.experiments.size());
  EXPECT_EQ(a.key, b.key);
  EXPECT_EQ(a.nodes, b.nodes);
  for (std::size_t i = 0; i < a.experiments.size(); ++i) {
    const ExperimentResult &x = a.experiments[i], &y = b.experiments[i];
    const std::string what = "experiment " + std::to_string(i) + " " + describe(x.fault);
    testing::expect_same_record(x, y, what);
  }
}

TEST(GraphCampaign, ThreadCountsAndTheFullRerunGiveIdenticalPerExperimentResults) {
  TempDir dir;
  const CampaignSource one = load(dir, tiny_config(dir, 60, 1)), two = load(dir, tiny_config(dir, 60, 2));
  EXPECT_EQ(one.campaign.graphs.size(), 2u);  // batches of 2 and the last one of 1
  const CampaignResults a = run_campaign(one.campaign), b = run_campaign(two.campaign);
  CampaignRunOptions full;
  full.shortcut = false;
  const CampaignResults c = run_campaign(two.campaign, full);
  ASSERT_TRUE(a.complete() && b.complete() && c.complete());
  expect_same_results(a, b);
  expect_same_results(a, c);
  EXPECT_EQ(a.nodes, (std::vector<std::string>{"conv1", "conv2", "conv3", "fc"}));
  EXPECT_EQ(a.golden_correct, 5);  // labelled with the model's own predictions
  EXPECT_EQ(a.batches, 3);
  int outcomes[3] = {0, 0, 0}, struck = 0;
  for (const auto& e : a.experiments) {
    ++outcomes[static_cast<int>(e.outcome)];
    struck += e.node >= 0;
    if (e.fault.permanent()) {
      EXPECT_EQ(e.node, -1);
    }
  }
  EXPECT_GT(outcomes[0], 0);
  EXPECT_GT(outcomes[1] + outcomes[2], 5);  // the comparison covers experiments that did something
  EXPECT_GT(struck, 5);
}

TEST(GraphCampaign, AnInterruptedRunResumedFromItsCheckpointEqualsAnUninterruptedRun) {
  TempDir dir;
  const CampaignSource src = load(dir, tiny_config(dir, 20, 2));
  CampaignRunOptions first;
  first.checkpoint = dir.file("c.h5.checkpoint");
  first.max_experiments = 7;  // as if killed after 7 experiments
  EXPECT_FALSE(run_campaign(src.campaign, first).complete());
  EXPECT_EQ(read_strings(first.checkpoint, "/layers").size(), 4u);
  CampaignRunOptions rest;
  rest.checkpoint = first.checkpoint;
  const CampaignResults resumed = run_campaign(src.campaign, rest);
  EXPECT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed, 7);
  expect_same_results(resumed, run_campaign(load(dir, tiny_config(dir, 20, 1)).campaign));
}

TEST(GraphCampaign, TheKeyCoversTheModelsParametersAndStructure) {
  TempDir dir;
  const Campaign c = load(dir, tiny_config(dir, 6, 1)).campaign;
  const std::string key = campaign_key(c);
  EXPECT_EQ(key, campaign_key(load(dir, tiny_config(dir, 6, 2)).campaign));
  for (int change = 0; change < 2; ++change) {
    Campaign other = c;
    Graph g = *c.graphs.at(2);
    if (change == 0) g.initializers.at("conv2.weight")[4] += 0.25f;
    else g.nodes.at(1).op = "Sigmoid";
    other.graphs[2] = std::make_shared<const Graph>(std::move(g));
    EXPECT_NE(key, campaign_key(other)) << change;
  }
}

TEST(GraphCampaign, AParameterFileAndNonClassifiersAreRefusedNamingTheKey) {
  TempDir dir;
  json parameters = tiny_config(dir, 6, 1);
  parameters["campaign"]["model"] = std::string(ACCSIM_SOURCE_DIR) + "/configs/models/lenet5_fashion_mnist.h5";
  try {
    load(dir, parameters);
    ADD_FAILURE() << "campaign.model was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(": campaign.model: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("graph model"), std::string::npos) << e.what();
  }
  testing::OnnxBuilder b;  // a model whose output is a feature map, not logits
  b.input("x", {0, 3, 8, 8}).output("y").floats("w", {4, 3, 1, 1}, std::vector<float>(12, 0.5f));
  b.node("Conv", {"x", "w"}, {"y"}, "conv");
  b.save(dir.file("features.onnx"));
  json features = tiny_config(dir, 6, 1);
  features["workload"]["model"] = "features.onnx";
  try {
    load(dir, features);
    ADD_FAILURE() << "a model without logits was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(": workload.model: "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("logits [N, classes]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace accsim
