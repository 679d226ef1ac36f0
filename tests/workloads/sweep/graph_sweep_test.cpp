// Sweeps of graph models (workload.model): each point is the model's run on that point's
// array (cycles, utilisation, corrupted elements equal to a run of the model alone), the
// campaign block runs the graph campaign per point, relative model paths resolve against
// the config's folder whatever the swept values hold, and keys a graph model does not
// read are refused before anything runs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "arch/input_error.h"
#include "arch/pe_faults.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_report.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/tiny_classifier.h"
#include "workloads/run/engines.h"
#include "workloads/run/workload_model.h"
#include "workloads/sweep/sweep.h"
#include "sweep_fixture.h"
#include "test_util.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class GraphSweepTest : public testing::SweepFixture {
 protected:
  void SetUp() override {
    fs::create_directories(dir() / "models");
    testing::save_tiny_classifier((dir() / "models" / "tiny.onnx").string());
  }

  // The small array running the tiny classifier (models/tiny.onnx, relative to the
  // config) on 2 synthetic images, with a psum fault, over the swizzle and atomic_k.
  json base() const {
    json j = testing::ideal_config("small");
    j["workload"] = {{"model", "models/tiny.onnx"}, {"batch", 2}};
    j["faults"] = json::array({{{"site", "psum"}, {"column", 1}, {"bit", 30}, {"kind", "stuck_at_1"}}});
    j["sweep"] = {{"grid", {{"array.swizzle", {"none", "rotate"}}, {"array.atomic_k", {8, 16}}}}};
    return j;
  }
};

// The point's model alone: its input batch fault-free and faulty on the fast engine.
struct SingleRun {
  long long cycles = 0, macs = 0, corrupted = 0;
};

SingleRun run_alone(const SweepPointConfig& rc) {
  std::ostringstream notes;
  const WorkloadModel model = load_workload_model(rc.workload, rc.mitigations.clip, rc.file, 1);
  const Graph& g = *model.graph;
  const Tensor images = load_model_input(rc.workload, rc.file, 1, model, notes).images;
  const PeFaults healthy, faulty(rc.array, rc.faults);
  const GraphRun golden = run_graph(g, images, *make_engine("fast", rc.array, healthy), true);
  const GraphRun bad = run_graph(g, images, *make_engine("fast", rc.array, faulty), true);
  SingleRun r;
  r.cycles = bad.cycles;
  for (std::size_t i = 0; i < bad.jobs.size(); ++i) {
    r.macs += bad.jobs[i].timing.macs;
    r.corrupted += compare_outputs(golden.jobs[i].output, bad.jobs[i].output).corrupted;
  }
  return r;
}

TEST_F(GraphSweepTest, PointsAreTheModelsRunsOnTheirArraysWhateverTheThreadCount) {
  const RunConfig rc = config(base());
  Sweep s = parse_sweep(rc);
  ASSERT_EQ(s.points.size(), 4u);
  std::ostringstream sink;
  s.threads = 1;
  const SweepResult one = run_sweep(s, options("one"), sink, sink);
  s.threads = 2;
  const SweepResult two = run_sweep(s, options("two"), sink, sink);
  ASSERT_TRUE(one.complete && two.complete);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const SingleRun alone = run_alone(s.points[i].config);
    EXPECT_EQ(one.points[i].cycles, alone.cycles) << i;
    EXPECT_EQ(one.points[i].macs, alone.macs) << i;
    EXPECT_EQ(one.points[i].corrupted_outputs, alone.corrupted) << i;
    EXPECT_DOUBLE_EQ(one.points[i].utilisation,
                     static_cast<double>(alone.macs) / (static_cast<double>(alone.cycles) * s.points[i].config.array.pes()));
    EXPECT_EQ(two.points[i].cycles, one.points[i].cycles) << i;
    EXPECT_EQ(two.points[i].corrupted_outputs, one.points[i].corrupted_outputs) << i;
    EXPECT_GT(one.points[i].corrupted_outputs, 0) << i;
  }
  // The array keys act on the graph: 16 columns take fewer cycles than 8 (points 2 and 0).
  EXPECT_LT(one.points[2].cycles, one.points[0].cycles);
}

TEST_F(GraphSweepTest, ACampaignBlockRunsTheGraphCampaignAtEveryPoint) {
  json j = base();
  j.erase("faults");
  j["campaign"] = {{"experiments", 8}, {"test_limit", 3}, {"batch", 2}, {"bits", {10, 15}}};
  j["sweep"] = {{"grid", {{"array.datatype", {"fp32", "fp16"}}}}};
  const RunConfig rc = config(j);
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult r = run_sweep(s, options("campaign"), sink, sink);
  ASSERT_TRUE(r.complete);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    CampaignSource src = load_graph_campaign(*s.points[i].config.campaign, 1, sink);
    ASSERT_FALSE(src.campaign.graphs.empty());
    const CampaignSummary alone = summarize_campaign(run_campaign(src.campaign), src.campaign.config);
    EXPECT_EQ(r.points[i].experiments, 8) << i;
    EXPECT_EQ(r.points[i].sdc_rate, alone.overall.sdc_rate()) << i;
    EXPECT_EQ(r.points[i].crash_rate, alone.overall.crash_rate()) << i;
    EXPECT_LE(r.points[i].sdc_lo, r.points[i].sdc_rate) << i;
    EXPECT_GE(r.points[i].sdc_hi, r.points[i].sdc_rate) << i;
    EXPECT_GT(r.points[i].cycles, 0) << i;
  }
}

// A swept value holding '/' (a model path) used to end up in the point's "file name",
// so relative paths resolved against a folder that does not exist.
TEST_F(GraphSweepTest, SweptModelPathsResolveAgainstTheConfigsFolder) {
  testing::save_tiny_classifier((dir() / "models" / "other.onnx").string(), 77);
  json j = base();
  j["sweep"] = {{"grid", {{"workload.model", {"models/tiny.onnx", "models/other.onnx"}}}}};
  const RunConfig rc = config(j);
  const Sweep s = parse_sweep(rc);
  ASSERT_EQ(s.points.size(), 2u);
  for (const SweepPoint& p : s.points) {
    EXPECT_EQ(p.config.file, rc.file);
    EXPECT_TRUE(fs::equivalent(p.config.workload.model, dir() / json::parse(p.values[0]).get<std::string>()));
  }
  std::ostringstream sink;
  const SweepResult r = run_sweep(s, options("models"), sink, sink);
  ASSERT_TRUE(r.complete);
  EXPECT_EQ(r.points[0].cycles, r.points[1].cycles);  // same shapes,
  EXPECT_EQ(r.points[0].corrupted_outputs, run_alone(s.points[0].config).corrupted);
  EXPECT_EQ(r.points[1].corrupted_outputs, run_alone(s.points[1].config).corrupted);  // each its own model
}

TEST_F(GraphSweepTest, AnInterruptedGraphSweepResumesAndRefusesAnEditedModel) {
  const RunConfig rc = config(base());
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult straight = run_sweep(s, options("straight"), sink, sink);
  SweepOptions o = options("killed");
  o.stop_after_points = 3;
  EXPECT_FALSE(run_sweep(s, o, sink, sink).complete);
  o.stop_after_points = 0;
  const SweepResult rest = run_sweep(s, o, sink, sink);
  EXPECT_EQ(rest.resumed_points, 3);
  ASSERT_TRUE(rest.complete);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    EXPECT_EQ(rest.points[i].cycles, straight.points[i].cycles) << i;
    EXPECT_EQ(rest.points[i].corrupted_outputs, straight.points[i].corrupted_outputs) << i;
  }
  // The same config over another model file (same shapes, other weights): the key differs.
  o.stop_after_points = 1;
  run_sweep(s, o, sink, sink);
  testing::save_tiny_classifier((dir() / "models" / "tiny.onnx").string(), 77);
  const RunConfig edited = config(base());
  o.stop_after_points = 0;
  try {
    run_sweep(parse_sweep(edited), o, sink, sink);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint of a different sweep"), std::string::npos) << e.what();
  }
}

TEST_F(GraphSweepTest, KeysAGraphModelDoesNotReadAreRefusedNamingTheKey) {
  const auto refused = [&](const json& j, const std::string& key) {
    const std::string e = error_of(j);
    EXPECT_NE(e.find("\"" + key + "\" does not apply to a graph model"), std::string::npos) << e;
  };
  json j = base();
  j["sweep"] = {{"grid", {{"workload.parameters", {"a.h5"}}}}};
  refused(j, "workload.parameters");
  j["sweep"] = {{"grid", {{"workload.network", {"lenet5"}}}}};
  refused(j, "workload.network");
  j["mitigations"] = {{"check", "none"}};
  j["sweep"] = {{"grid", {{"mitigations.prune_faulty_weights", {true, false}}}}};
  refused(j, "mitigations.prune_faulty_weights");
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}};
  j.erase("mitigations");
  j["sweep"] = {{"grid", {{"campaign.model", {"a.h5"}}}}};
  refused(j, "campaign.model");
}

// As `accsim --config` runs a graph: the faulty run behind the mitigations' check.
TEST_F(GraphSweepTest, TheMitigationsCheckActsOnGraphPoints) {
  json j = base();
  j["mitigations"] = {{"check", "none"}};
  j["sweep"] = {{"grid", {{"mitigations.check", {"none", "duplicate"}}}}};
  const RunConfig rc = config(j);
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult r = run_sweep(s, options("check"), sink, sink);
  ASSERT_TRUE(r.complete);
  EXPECT_GT(r.points[1].cycles, r.points[0].cycles);  // the copies
  EXPECT_GT(r.points[0].corrupted_outputs, 0);
  EXPECT_LT(r.points[1].corrupted_outputs, r.points[0].corrupted_outputs);  // the vote out-votes the faulty column
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}};
  EXPECT_NE(error_of(j).find("mitigations: accsim campaign applies only activation_clip"), std::string::npos) << error_of(j);
}

TEST_F(GraphSweepTest, ProtectBitsApplyWithoutACampaignAndAreRefusedWithOne) {
  json j = base();
  j["mitigations"] = {{"protect_bits", {0}}};
  j["sweep"] = {{"grid", {{"mitigations.protect_bits", {json::array({0}), json::array({30})}}}}};
  const Sweep s = parse_sweep(config(j));
  EXPECT_EQ(s.points[0].config.faults.size(), 1u);  // bit 30 acts
  EXPECT_TRUE(s.points[1].config.faults.empty());   // bit 30 protected
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}};
  EXPECT_NE(error_of(j).find("mitigations: accsim campaign applies only activation_clip"), std::string::npos) << error_of(j);
}

// What the graph campaign refuses in the base config is refused at parse, naming the
// point, not after other points ran.
TEST_F(GraphSweepTest, AGraphCampaignWithTopLevelChecksIsRefusedBeforeAnythingRuns) {
  json j = base();
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}};
  j["mitigations"] = {{"protect_bits", {31}}};
  const std::string e = error_of(j);
  EXPECT_NE(e.find("sweep point 0"), std::string::npos) << e;
  EXPECT_NE(e.find("mitigations: accsim campaign applies only activation_clip"), std::string::npos) << e;
}

// The shipped example (docs/sweeps.md) parses: every point the ResNet-8 with its campaign.
TEST(GraphSweepExample, ShippedResnetSweepHasNineValidPoints) {
  const RunConfig rc = parse_run_config(std::string(ACCSIM_SOURCE_DIR) + "/configs/sweeps/resnet8_campaign.json");
  const Sweep s = parse_sweep(rc);
  ASSERT_EQ(s.points.size(), 9u);
  for (const SweepPoint& p : s.points) {
    ASSERT_TRUE(p.config.workload.graph);
    EXPECT_EQ(p.config.workload.graph->name, "resnet8_fmnist");
    EXPECT_TRUE(p.config.campaign.has_value());
  }
  EXPECT_EQ(s.points[8].config.array.atomic_c, 32);
  EXPECT_EQ(s.points[8].config.array.datatype, DataType::int8);
}

}  // namespace
}  // namespace accsim
