// `accsim sweep` and the plain run of a SCALE-Sim topology from the command line.
#include <gtest/gtest.h>

#include "arch/energy_table.h"
#include "tools/cli_test_util.h"
#include "workloads/scalesim/compute_report.h"
#include "workloads/io/results_file.h"
#include "workloads/models/tiny_classifier.h"

namespace accsim {
namespace {

using namespace cli_test;

json example_sweep() {
  std::ifstream in(source_file("configs/sweeps/nv_small_to_large.json"));
  json j = json::parse(in);
  j["workload"]["topology"] = source_file("configs/topologies/alexnet_conv.csv");
  return j;
}

TEST(SweepCommand, WritesTableHdf5AndCsvWithARowPerPoint) {
  TempDir dir;
  const fs::path out = dir.path() / "sweep.h5";
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, example_sweep()), "--out", out.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("24 points"), std::string::npos) << r.out;
  EXPECT_EQ(read_table(out.string(), "/points").columns[0].size(), 24u);
  std::ifstream csv(dir.path() / "sweep.csv");
  std::string line;
  int lines = 0;
  while (std::getline(csv, line)) ++lines;
  EXPECT_EQ(lines, 25);
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
}

TEST(SweepCommand, AFreshSweepNeverSaysItResumesAndLeavesNoCheckpoint) {
  TempDir dir;
  json j = example_sweep();
  j["sweep"] = {{"grid", {{"array.atomic_k", {8, 16}}}}};
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", (dir.path() / "s.h5").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("resuming"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("accsim: sweep: 100% (2/2)"), std::string::npos) << r.err;
  EXPECT_TRUE(files_containing(dir.path(), "checkpoint").empty());
}

TEST(SweepCommand, ABadPointIsRejectedBeforeAnythingRuns) {
  TempDir dir;
  json j = example_sweep();
  j["sweep"]["grid"]["array.datatype"] = {"fp32", "fp7"};
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", (dir.path() / "s.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("array.datatype"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("fp7"), std::string::npos) << r.err;
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

// The tiny classifier at models/tiny.onnx next to the config, over two array widths.
json graph_sweep(const TempDir& dir) {
  fs::create_directories(dir.path() / "models");
  testing::save_tiny_classifier((dir.path() / "models" / "tiny.onnx").string());
  json j = small_config();
  j["workload"] = {{"model", "models/tiny.onnx"}, {"batch", 2}};
  j["sweep"] = {{"grid", {{"array.atomic_k", {8, 16}}}}};
  return j;
}

TEST(SweepCommand, SweepsAGraphModel) {
  TempDir dir;
  const fs::path out = dir.path() / "g.h5";
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, graph_sweep(dir)), "--out", out.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 points over array.atomic_k | tiny (ONNX "), std::string::npos) << r.out;
  const ResultsTable t = read_table(out.string(), "/points");
  ASSERT_EQ(t.columns[0].size(), 2u);
  EXPECT_GT(t.columns[1][0], t.columns[1][1]);  // cycles: 16 columns take fewer
}

TEST(SweepCommand, AKeyAGraphModelDoesNotReadIsExit2NamingTheKey) {
  TempDir dir;
  json j = graph_sweep(dir);
  j["sweep"] = {{"grid", {{"workload.parameters", {"trained.h5"}}}}};
  const CliRun r = run_cli({"sweep", "--config", write_config(dir, j), "--out", (dir.path() / "g.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("\"workload.parameters\" does not apply to a graph model"), std::string::npos) << r.err;
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

TEST(TopologyRun, WritesAScaleSimComputeReportInTheRunFolderNamedAfterTheResults) {
  TempDir dir;
  json j = small_config();
  j["workload"] = {{"topology", source_file("configs/topologies/alexnet_conv.csv")}};
  j["faults"] = json::array();
  const fs::path out = dir.path() / "alex.h5";
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  // SCALE-Sim's layout <log dir>/<run name>/COMPUTE_REPORT.csv, the run named after the results.
  const auto rows = read_compute_report((dir.path() / "alex" / "COMPUTE_REPORT.csv").string());
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[1].total_cycles, static_cast<long long>(read_table(out.string(), "/summary").columns[0][1]));
  EXPECT_NE(r.out.find("Conv5"), std::string::npos) << r.out;
}

TEST(TopologyRun, PrintsEachLayersEnergyAndTheTotalFromTheConfigsTable) {
  TempDir dir;
  json j = small_config();
  j["workload"] = {{"topology", source_file("configs/topologies/alexnet_conv.csv")}};
  j["faults"] = json::array();
  j["array"]["energy"] = {{"mac_fp32_pj", 1.0}, {"register_pj", 0.0}};  // no memory side: 1 pJ per MAC
  const fs::path out = dir.path() / "alex.h5";
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const ResultsTable t = read_table(out.string(), "/summary");
  double total = 0;
  for (double macs : t.columns[2]) {
    EXPECT_NE(r.out.find(" " + energy_text(macs) + "\n"), std::string::npos) << macs << "\n" << r.out;
    total += macs;
  }
  EXPECT_NE(r.out.find(" " + energy_text(total) + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("energy"), std::string::npos) << r.out;
}

// With array.memory the table and /summary carry the memory side's stalls and traffic
// (a ResNet-18 layer of 2.4 MB of weights on nv_small's 128 KiB CBUF waits for DRAM);
// without it they are left out of the table, not printed as zeros.
TEST(TopologyRun, WithAMemorySideEachLayerShowsItsDramStallsAndTraffic) {
  TempDir dir;
  json j = small_config();
  j["workload"] = {{"topology", source_file("configs/topologies/resnet18.csv")}};
  j["faults"] = json::array();
  j["array"]["memory"] = {{"preset", "nv_small"}};
  const fs::path out = dir.path() / "r18.h5";
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("dfetch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DRAM rd B"), std::string::npos) << r.out;
  const ResultsTable t = read_table(out.string(), "/summary");
  const auto column = [&](const std::string& name) {
    for (std::size_t k = 0; k < t.column_names.size(); ++k)
      if (t.column_names[k] == name) return t.columns[k];
    ADD_FAILURE() << name;
    return std::vector<double>{};
  };
  const std::vector<double> cycles = column("cycles"), dram = column("dram_stall_cycles"), bytes = column("dram_read_bytes");
  ASSERT_EQ(cycles.size(), 21u);
  EXPECT_GT(dram[13], 0.5 * cycles[13]);  // Conv4_1b: 3x3x256x256 weights, split and re-fetched
  for (double b : bytes) EXPECT_GT(b, 0);
  j["array"].erase("memory");
  const CliRun ideal = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "ideal.h5").string()});
  ASSERT_EQ(ideal.code, 0) << ideal.err;
  EXPECT_EQ(ideal.out.find("dfetch"), std::string::npos) << ideal.out;
}

TEST(TopologyRun, WarnsOnStderrAboutWhatScaleSimAcceptsSilently) {
  TempDir dir;
  json j = small_config();
  j["workload"] = {{"topology", write_file(dir.path() / "mobile.csv",
                                           "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                                           "Channels, Num Filter, Strides,\nC1, 16, 16, 3, 3, 3, 8, 2,\n"
                                           "C2_dw, 7, 7, 3, 3, 1, 1, 1,#dw\n")}};
  j["faults"] = json::array();
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "m.h5").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("accsim: warning: " + (dir.path() / "mobile.csv").string() + ": text after a row's last comma"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(read_compute_report((dir.path() / "m" / "COMPUTE_REPORT.csv").string()).size(), 2u);
}

TEST(TopologyRun, ATopologyWithANetworkOrAMissingFileIsABadConfig) {
  TempDir dir;
  json j = small_config();
  j["workload"]["topology"] = "nowhere.csv";
  CliRun r = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("give one of network, topology or model"), std::string::npos) << r.err;
  j.erase("workload");
  j["workload"] = {{"topology", "nowhere.csv"}};
  r = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nowhere.csv"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace accsim
