// Sweeps: points expand as documented, each is validated like a config, results equal
// single runs whatever the thread count, and an interrupted sweep resumes.
#include "workloads/sweep/sweep.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "arch/input_error.h"
#include "dataset_copy.h"
#include "test_util.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_report.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/io/results_file.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/models/model_file.h"
#include "workloads/sweep/sweep_point.h"
#include "sweep_fixture.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SweepTest : public testing::SweepFixture {
 protected:
  // The shipped example sweep, with its topology path made absolute.
  json example() const {
    std::ifstream in(std::string(ACCSIM_SOURCE_DIR) + "/configs/sweeps/nv_small_to_large.json");
    json j = json::parse(in);
    j["workload"]["topology"] = std::string(ACCSIM_SOURCE_DIR) + "/configs/topologies/alexnet_conv.csv";
    return j;
  }
};

TEST_F(SweepTest, GridIsTheCartesianProductInKeyOrderWithTheLastKeyFastest) {
  const Sweep s = parse_sweep(config(example()));
  ASSERT_EQ(s.points.size(), 24u);
  EXPECT_EQ(s.keys, (std::vector<std::string>{"array.atomic_c", "array.atomic_k", "array.weight_load_bytes_per_cycle"}));
  EXPECT_EQ(s.points[0].values, (std::vector<std::string>{"8", "8", "32"}));
  EXPECT_EQ(s.points[1].values, (std::vector<std::string>{"8", "8", "512"}));
  EXPECT_EQ(s.points[23].values, (std::vector<std::string>{"64", "32", "512"}));
  EXPECT_EQ(s.points[23].config.array.atomic_c, 64);
  EXPECT_EQ(s.points[23].config.array.atomic_k, 32);
  EXPECT_EQ(s.points[23].config.array.weight_load_bytes_per_cycle, 512);
}

TEST_F(SweepTest, ExplicitPointsAndFaultKeysAreSubstituted) {
  json j = example();
  j["faults"] = json::array({{{"site", "weight"}, {"pe", {0, 0}}, {"bit", 3}, {"kind", "stuck_at_1"}}});
  j["sweep"] = {{"points", {{{"array.swizzle", "rotate"}, {"faults[0].bit", 30}},
                            {{"array.swizzle", "random"}, {"faults[0].bit", 7}}}}};
  const Sweep s = parse_sweep(config(j));
  ASSERT_EQ(s.points.size(), 2u);
  EXPECT_EQ(s.points[0].config.array.swizzle, SwizzlePolicy::rotate);
  EXPECT_EQ(s.points[0].config.faults.at(0).bit, 30);
  EXPECT_EQ(s.points[1].config.faults.at(0).bit, 7);
}

TEST_F(SweepTest, BadSweepsNameTheKeyThePointAndTheRange) {
  json j = example();
  j["sweep"]["grid"]["array.atomic_c"] = {8, 300};
  const std::string range = error_of(j);
  EXPECT_NE(range.find("sweep point"), std::string::npos) << range;
  EXPECT_NE(range.find("array.atomic_c=300"), std::string::npos) << range;
  EXPECT_NE(range.find("[1, 256]"), std::string::npos) << range;
  j = example();
  j["sweep"]["grid"]["arrays.atomic_c"] = {8};
  EXPECT_NE(error_of(j).find("is not in the config"), std::string::npos) << error_of(j);
  j = example();
  j["sweep"]["grid"]["array..x"] = {8};
  EXPECT_NE(error_of(j).find("is not a key path"), std::string::npos) << error_of(j);
  j = example();
  j["sweep"]["grid"]["array.atomic_k"] = json::array();
  EXPECT_NE(error_of(j).find("non-empty list"), std::string::npos) << error_of(j);
  j = example();
  j["sweep"] = {{"points", {{{"array.atomic_c", 8}}, {{"array.atomic_k", 8}}}}};
  EXPECT_NE(error_of(j).find("every point sets the same keys"), std::string::npos) << error_of(j);
  j = example();
  j["sweep"]["points"] = json::array({{{"array.atomic_c", 8}}});
  EXPECT_NE(error_of(j).find("exactly one of grid"), std::string::npos) << error_of(j);
  j = example();
  j.erase("sweep");
  EXPECT_NE(error_of(j).find("sweep: missing"), std::string::npos) << error_of(j);
}

TEST_F(SweepTest, PointsEqualTheirSingleRunsWhateverTheThreadCount) {
  json j = example();
  j["faults"] = json::array({{{"site", "psum"}, {"column", 1}, {"bit", 29}, {"kind", "stuck_at_1"}}});
  j["workload"] = {{"network", "lenet5"}};  // with a fault: data goes through the engine
  const RunConfig rc = config(j);
  Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  s.threads = 1;
  const SweepResult one = run_sweep(s, options("one"), sink, sink);
  s.threads = 2;
  const SweepResult two = run_sweep(s, options("two"), sink, sink);
  ASSERT_TRUE(one.complete && two.complete);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const WorkloadTiming single = time_point_workload(s.points[i].config, "fast", 1);
    EXPECT_EQ(one.points[i].cycles, single.cycles) << i;
    EXPECT_EQ(one.points[i].corrupted_outputs, single.corrupted_outputs) << i;
    EXPECT_EQ(two.points[i].cycles, one.points[i].cycles) << i;
    EXPECT_EQ(two.points[i].corrupted_outputs, one.points[i].corrupted_outputs) << i;
  }
  EXPECT_GT(one.points[0].corrupted_outputs, 0);
}

TEST_F(SweepTest, MemorySideColumnsShowDramStallsFallingWithBandwidth) {
  json j = example();
  j["array"]["memory"] = {{"preset", "nv_large"}};  // 16 x 512 x 64 B = the example's 512 KiB CBUF
  j["sweep"] = {{"grid", {{"array.memory.dram_bytes_per_cycle", {1, 4096}}}}};
  const RunConfig rc = config(j);
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult r = run_sweep(s, options("mem"), sink, sink);
  ASSERT_TRUE(r.complete);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const WorkloadTiming single = time_point_workload(s.points[i].config, "fast", 1);
    EXPECT_EQ(r.points[i].dram_stall_cycles, single.dram_stall_cycles) << i;
    EXPECT_EQ(r.points[i].dram_read_bytes, single.dram_read_bytes) << i;
    EXPECT_GT(r.points[i].dram_read_bytes, 0) << i;
  }
  EXPECT_GT(r.points[0].dram_stall_cycles, r.points[1].dram_stall_cycles);
  EXPECT_EQ(r.points[0].dram_read_bytes, r.points[1].dram_read_bytes);  // bandwidth moves no byte more
}

// Each point's layers are its workload's layers in order (a topology layer per job here),
// their counts sum to the point's, and a resumed sweep writes the same layers CSV.
TEST_F(SweepTest, LayersSumToTheirPointAndSurviveAResume) {
  json j = example();
  j["array"]["memory"] = {{"preset", "nv_large"}};
  j["sweep"] = {{"grid", {{"array.memory.dram_bytes_per_cycle", {1, 64, 4096}}}}};
  const RunConfig rc = config(j);
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult straight = run_sweep(s, options("layers"), sink, sink);
  ASSERT_TRUE(straight.complete);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    const WorkloadTiming single = time_point_workload(s.points[i].config, "fast", 1);
    ASSERT_EQ(straight.layers[i].size(), single.layers.size()) << i;
    long long cycles = 0, dram_stalls = 0, dram_bytes = 0;
    for (std::size_t k = 0; k < single.layers.size(); ++k) {
      const SweepLayerResult& l = straight.layers[i][k];
      EXPECT_EQ(l.name, single.layers[k].job.layer);
      EXPECT_EQ(l.cycles, single.layers[k].timing.cycles);
      cycles += l.cycles, dram_stalls += l.dram_stall_cycles, dram_bytes += l.dram_read_bytes;
    }
    EXPECT_EQ(cycles, straight.points[i].cycles) << i;
    EXPECT_EQ(dram_stalls, straight.points[i].dram_stall_cycles) << i;
    EXPECT_EQ(dram_bytes, straight.points[i].dram_read_bytes) << i;
  }
  SweepOptions o = options("resumed");
  o.stop_after_points = 2;
  run_sweep(s, o, sink, sink);
  o.stop_after_points = 0;
  ASSERT_TRUE(run_sweep(s, o, sink, sink).complete);
  const auto text = [](const std::string& h5) {
    std::ifstream in(fs::path(h5).replace_extension("").string() + "_layers.csv");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  EXPECT_EQ(text(o.out_file), text(options("layers").out_file));
  EXPECT_NE(text(o.out_file).find("point,array.memory.dram_bytes_per_cycle,layer,name,jobs,cycles"), std::string::npos);
}

TEST_F(SweepTest, EnergyColumnIsTheCountsTimesThePointsTable) {
  json j = example();
  j["array"]["memory"] = {{"preset", "nv_large"}};
  j["array"]["energy"] = json::object();  // the swept key's parent
  j["sweep"] = {{"grid", {{"array.energy.dram_pj_per_byte", {0.0, 100.0}}}}};
  const RunConfig rc = config(j);
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult r = run_sweep(s, options("energy"), sink, sink);
  ASSERT_TRUE(r.complete);
  const WorkloadTiming single = time_point_workload(s.points[0].config, "fast", 1);
  const EnergyTable table;
  const double dram = static_cast<double>(single.dram_read_bytes + single.dram_write_bytes);
  const double on_chip = static_cast<double>(single.macs) * (table.mac_fp32_pj + table.register_pj) +
                         static_cast<double>(single.energy_counts.cbuf_bytes) * table.cbuf_pj_per_byte;
  EXPECT_GT(dram, 0);
  EXPECT_DOUBLE_EQ(r.points[0].energy_pj, on_chip);
  EXPECT_DOUBLE_EQ(r.points[1].energy_pj, on_chip + 100.0 * dram);
}

TEST_F(SweepTest, AnInterruptedSweepResumesWithoutRedoingFinishedPoints) {
  const RunConfig rc = config(example());
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult straight = run_sweep(s, options("straight"), sink, sink);
  SweepOptions o = options("killed");
  o.stop_after_points = 5;
  const SweepResult part = run_sweep(s, o, sink, sink);
  EXPECT_FALSE(part.complete);
  EXPECT_FALSE(fs::exists(o.out_file));
  EXPECT_TRUE(fs::exists(checkpoint_path(o.out_file)));  // interrupted: kept
  o.stop_after_points = 0;
  const SweepResult rest = run_sweep(s, o, sink, sink);
  EXPECT_EQ(rest.resumed_points, 5);
  ASSERT_TRUE(rest.complete);
  EXPECT_FALSE(fs::exists(checkpoint_path(o.out_file)));  // complete: deleted
  for (std::size_t i = 0; i < s.points.size(); ++i) EXPECT_EQ(rest.points[i].cycles, straight.points[i].cycles) << i;
  std::ifstream a(fs::path(options("straight").out_file).replace_extension(".csv")), b(fs::path(o.out_file).replace_extension(".csv"));
  std::stringstream sa, sb;
  sa << a.rdbuf();
  sb << b.rdbuf();
  EXPECT_EQ(sa.str(), sb.str());
}

// A stop (a signal) starts no new point: the finished points (none here) are
// checkpointed, nothing else is written, and the rerun completes the sweep.
TEST_F(SweepTest, AStopStartsNoNewPointKeepsTheCheckpointAndTheRerunCompletes) {
  const RunConfig rc = config(example());
  const Sweep s = parse_sweep(rc);
  std::atomic<bool> stop{true};
  SweepOptions o = options("stopped");
  o.stop = &stop;
  std::ostringstream sink;
  const SweepResult part = run_sweep(s, o, sink, sink);
  EXPECT_FALSE(part.complete);
  for (const SweepPointResult& p : part.points) EXPECT_FALSE(p.done);
  EXPECT_TRUE(fs::exists(checkpoint_path(o.out_file)));
  EXPECT_FALSE(fs::exists(o.out_file));
  stop = false;
  const SweepResult rest = run_sweep(s, o, sink, sink);
  EXPECT_TRUE(rest.complete);
  EXPECT_TRUE(fs::exists(o.out_file));
  EXPECT_FALSE(fs::exists(checkpoint_path(o.out_file)));
}

TEST_F(SweepTest, ACheckpointWithOtherColumnsIsRefusedNotReadAsZeros) {
  const RunConfig rc = config(example());
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  SweepOptions o = options("old");
  o.stop_after_points = 2;
  run_sweep(s, o, sink, sink);
  const std::string ckpt = o.out_file + ".checkpoint.h5";
  const std::string key = read_string_attribute(ckpt, "/", "sweep_key");
  {
    ResultsFile h5(ckpt);  // the same sweep's key, an older layout's columns
    h5.set_attribute("/", "sweep_key", key);
    Table t({{"point", CellType::real, ""}, {"cycles", CellType::real, ""}, {"sdc_low", CellType::real, ""}});
    t.add_row({0.0, 100.0, 0.0});
    h5.write_table("/points", t);
    h5.commit();
  }
  o.stop_after_points = 0;
  try {
    run_sweep(s, o, sink, sink);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint with other columns"), std::string::npos) << e.what();
  }
}

// Issue 12, item 8: the resume key covers everything that decides the results (the model
// and dataset files' bytes included) and nothing else (thread counts, checkpoint periods).
class SweepResumeTest : public SweepTest {
 protected:
  void SetUp() override {
    SweepTest::SetUp();
    if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    testing::link_fashion_mnist(dir() / "dataset");
    write_model(7);
  }
  std::string model() const { return (dir() / "model.h5").string(); }
  void write_model(std::uint64_t seed) const {
    ResultsFile h5(model());
    write_parameters(h5, lenet5(), init_parameters(lenet5(), seed));
    h5.commit();
  }
  // LeNet-5 on the model above with a fault (data goes through the engine), 4 points,
  // and a small campaign and training block whose thread keys must not matter.
  json lenet() const {
    json j = example();
    j["workload"] = {{"network", "lenet5"}, {"parameters", model()}, {"dataset_dir", (dir() / "dataset").string()}};
    j["faults"] = {{{"site", "weight"}, {"pe", {3, 5}}, {"bit", 30}, {"kind", "stuck_at_1"}}};
    j["campaign"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}, {"threads", 1}, {"checkpoint_seconds", 5}};
    j["training"] = {{"threads", 1}};
    j["sweep"] = {{"grid", {{"array.swizzle", {"none", "rotate", "xor", "random"}}}}, {"threads", 1}};
    return j;
  }
  // Runs one point of `j` and leaves the checkpoint.
  SweepOptions interrupted(const json& j) const {
    const RunConfig rc = config(j);
    std::ostringstream sink;
    SweepOptions o = options("s");
    o.stop_after_points = 1;
    run_sweep(parse_sweep(rc), o, sink, sink);
    EXPECT_TRUE(fs::exists(checkpoint_path(o.out_file)));
    o.stop_after_points = 0;
    return o;
  }
  std::string resume_error(const json& j, const SweepOptions& o) const {
    const RunConfig rc = config(j);
    std::ostringstream sink;
    try {
      run_sweep(parse_sweep(rc), o, sink, sink);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(SweepResumeTest, ACheckpointResumesWhateverTheThreadCountsAndCheckpointPeriods) {
  json j = lenet();
  const SweepOptions o = interrupted(j);
  j["sweep"]["threads"] = 2;
  j["campaign"]["threads"] = 2;
  j["campaign"]["checkpoint_seconds"] = 60;
  j["training"]["threads"] = 2;
  const RunConfig rc = config(j);
  std::ostringstream sink;
  const SweepResult r = run_sweep(parse_sweep(rc), o, sink, sink);
  EXPECT_EQ(r.resumed_points, 1);
  EXPECT_TRUE(r.complete);
}

TEST_F(SweepResumeTest, ACheckpointIsRefusedAfterTheModelFileChanged) {
  const SweepOptions o = interrupted(lenet());
  write_model(8);  // same path, same config: other parameters
  const std::string e = resume_error(lenet(), o);
  EXPECT_NE(e.find("checkpoint of a different sweep"), std::string::npos) << e;
  EXPECT_TRUE(fs::exists(checkpoint_path(o.out_file)));  // not ours to delete
}

TEST_F(SweepResumeTest, ACheckpointIsRefusedAfterTheDatasetChanged) {
  const SweepOptions o = interrupted(lenet());
  testing::relabel_first_test_image(dir() / "dataset");
  const std::string e = resume_error(lenet(), o);
  EXPECT_NE(e.find("checkpoint of a different sweep"), std::string::npos) << e;
}

TEST_F(SweepResumeTest, APointsBadInputLeavesNoCheckpointBehind) {
  json j = lenet();
  j.erase("campaign");
  std::ofstream(dir() / "broken.h5") << "not HDF5\n";
  j["sweep"] = {{"points", {{{"workload.parameters", model()}}, {{"workload.parameters", (dir() / "broken.h5").string()}}}},
                {"threads", 1}};
  const SweepOptions o = options("s");
  const std::string e = resume_error(j, o);  // point 0 finishes, point 1 cannot read its model
  EXPECT_NE(e.find("not an HDF5 file"), std::string::npos) << e;
  EXPECT_FALSE(fs::exists(checkpoint_path(o.out_file)));  // fixing the model changes the key: never resumable
  EXPECT_FALSE(fs::exists(o.out_file));
}

TEST_F(SweepTest, PointsWithACampaignCarryItsSdcAndCrashRatesWithIntervals) {
  json j = example();
  j["workload"] = {{"network", "lenet5"}};
  j["campaign"] = {{"experiments", 12}, {"test_limit", 10}, {"batch", 10}};
  j["sweep"] = {{"grid", {{"array.swizzle", {"none", "rotate"}}}}};
  const RunConfig rc = config(j);
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult r = run_sweep(s, options("campaign"), sink, sink);
  ASSERT_TRUE(r.complete);
  for (std::size_t i = 0; i < s.points.size(); ++i) {
    CampaignSource src = load_graph_campaign(*s.points[i].config.campaign, 1, sink);
    const CampaignSummary alone = summarize_campaign(run_campaign(src.campaign), src.campaign.config);
    EXPECT_EQ(r.points[i].experiments, 12) << i;
    EXPECT_EQ(r.points[i].sdc_rate, alone.overall.sdc_rate()) << i;
    EXPECT_EQ(r.points[i].crash_rate, alone.overall.crash_rate()) << i;
    EXPECT_LE(r.points[i].sdc_lo, r.points[i].sdc_rate);
    EXPECT_GE(r.points[i].sdc_hi, r.points[i].sdc_rate);
  }
}

TEST_F(SweepTest, AnalyticalEstimateIsWithinThirtyPercentAboveTheCycleModelOnEveryExamplePoint) {
  // arch/analytical_cycles.h: never below the exact model, at most one weight load above
  // it per layer; on the presets' shapes that is < 30% (docs/cycle_model.md).
  const RunConfig rc = config(example());
  const Sweep s = parse_sweep(rc);
  std::ostringstream sink;
  const SweepResult r = run_sweep(s, options("cross"), sink, sink);
  for (std::size_t i = 0; i < r.points.size(); ++i) {
    const double ratio = static_cast<double>(r.points[i].analytical_cycles) / static_cast<double>(r.points[i].cycles);
    EXPECT_GE(ratio, 1.0) << i;
    EXPECT_LE(ratio, 1.3) << i;
  }
}

}  // namespace
}  // namespace accsim
