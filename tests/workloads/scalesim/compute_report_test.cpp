#include "workloads/scalesim/compute_report.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "arch/input_error.h"
#include "arch/job_timing.h"
#include "test_util.h"
#include "workloads/scalesim/scalesim_topology.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

// Each test gets a fresh directory, so listings prove what was (not) left behind.
class ComputeReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("accsim_compute_report_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  static std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void expect_read_error(const std::string& text, const std::vector<std::string>& parts) {
    std::ofstream(file("bad.csv"), std::ios::binary) << text;
    try {
      read_compute_report(file("bad.csv"));
      ADD_FAILURE() << "expected InputError for:\n" << text;
    } catch (const InputError& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind(file("bad.csv") + ": ", 0), 0u) << msg;
      for (const std::string& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
    }
  }

  fs::path dir_;
};

// Values and texts from CPython 3: repr(x) == str(x) for floats.
TEST(ComputeReportFormat, PercentagesPrintExactlyLikePythonStrOfAFloat) {
  EXPECT_EQ(python_float_text(100.0), "100.0");
  EXPECT_EQ(python_float_text(100.0 / 3.0), "33.333333333333336");
  EXPECT_EQ(python_float_text(1.0 / 3.0 * 100.0), "33.33333333333333");
  EXPECT_EQ(python_float_text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(python_float_text(12.5), "12.5");
  EXPECT_EQ(python_float_text(0.0), "0.0");
  EXPECT_EQ(python_float_text(-0.0), "-0.0");
  EXPECT_EQ(python_float_text(0.0001), "0.0001");
  EXPECT_EQ(python_float_text(1e-05), "1e-05");
  EXPECT_EQ(python_float_text(1.5e-07), "1.5e-07");
  EXPECT_EQ(python_float_text(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(python_float_text(1e16), "1e+16");
  EXPECT_EQ(python_float_text(123456789012345680.0), "1.2345678901234568e+17");
  EXPECT_EQ(python_float_text(1e300), "1e+300");
  EXPECT_EQ(python_float_text(std::numeric_limits<double>::infinity()), "inf");
}

TEST(ComputeReportFormat, ScaleSimsColumnsFirstInItsDialectThenAccsimsOwn) {
  std::vector<ComputeReportRow> rows(2);
  rows[0] = {1234, 16, 100.0 / 3.0, 100.0, 87.5, 1200, 3, 4, 5, 6};
  rows[1] = {7, 0, 0.0, 31.640625, 1e-05};
  const std::string header =
      "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %, Compute Cycles, "
      "Weight Load Stall Cycles, Data Fetch Stall Cycles, Post-processing Cycles, Pipeline Drain Cycles,\n";
  EXPECT_EQ(format_compute_report(rows), header +
                                             "0, 1234, 16, 33.333333333333336, 100.0, 87.5, 1200, 3, 4, 5, 6,\n"
                                             "1, 7, 0, 0.0, 31.640625, 1e-05, 0, 0, 0, 0, 0,\n");
  EXPECT_EQ(format_compute_report({}), header);
}

// One column per meaning: SCALE-Sim's Stall Cycles are DRAM waits; the weight-load waits,
// the CBUF data-port waits, SDP and the drain have their own, and they add up to the total.
TEST(ComputeReportFormat, EachStallKindHasItsColumnAndTheyAddUpToTheTotal) {
  ArrayConfig a = testing::preset("small");
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  a.memory.dram_bytes_per_cycle = 1;  // memory-bound: DRAM stalls
  a.cbuf_bytes = a.memory.cbuf_bytes();
  const ConvShape s{1, 9, 6, 6, 9, 3, 3, 1, 0};
  const JobTiming t = closed_form_timing(s, a);
  const ComputeReportRow r = compute_report_row(s, a, t);
  EXPECT_GT(r.stall_cycles, 0);
  EXPECT_EQ(r.stall_cycles, t.dram_stall_cycles);
  EXPECT_EQ(r.compute_cycles, t.atomic_ops);
  EXPECT_EQ(r.weight_load_stall_cycles, t.stall_cycles);
  EXPECT_EQ(r.data_fetch_stall_cycles, t.data_fetch_stall_cycles);
  EXPECT_EQ(r.postprocess_cycles, t.postprocess_cycles);
  EXPECT_EQ(r.pipeline_drain_cycles, a.mac_pipeline_depth);
  EXPECT_EQ(r.total_cycles, r.compute_cycles + r.stall_cycles + r.weight_load_stall_cycles +
                                r.data_fetch_stall_cycles + r.postprocess_cycles + r.pipeline_drain_cycles);
}

TEST(ComputeReportFormat, RowColumnsFollowTheirDocumentedDefinitionsOnAHandCountedJob) {
  const ArrayConfig a = testing::preset("small");  // 8 x 8
  const ConvShape s{1, 9, 6, 6, 9, 3, 3, 1, 0};    // C = K = 9: 2 blocks x 2 groups, 16 outputs
  const JobTiming t = closed_form_timing(s, a);
  const ComputeReportRow r = compute_report_row(s, a, t);
  EXPECT_EQ(r.total_cycles, t.cycles);
  EXPECT_EQ(r.stall_cycles, 0);  // no DRAM without array.memory
  EXPECT_EQ(r.weight_load_stall_cycles, t.stall_cycles);
  EXPECT_DOUBLE_EQ(r.overall_util_percent, 100.0 * t.utilisation);
  EXPECT_DOUBLE_EQ(mapping_efficiency(s, a), 81.0 / 256.0);  // (8+1)(8+1) used of 4 folds x 64 PEs
  EXPECT_DOUBLE_EQ(r.mapping_efficiency_percent, 100.0 * 81.0 / 256.0);
  EXPECT_DOUBLE_EQ(r.compute_util_percent, 100.0 * static_cast<double>(t.macs) / (t.atomic_ops * 64.0));
  EXPECT_EQ(mapping_efficiency(ConvShape{1, 16, 1, 1, 24, 1, 1, 1, 0}, a), 1.0);  // exact multiples fill the array
}

// Every fold runs the same atomic operations, so the PEs busy per computing cycle are the
// mapped ones: in this model Compute Util equals Mapping Efficiency (SCALE-Sim's differ by
// its systolic fill and drain). Two independent routes to one number.
TEST(ComputeReportFormat, ComputeUtilEqualsMappingEfficiencyForEveryShape) {
  Rng rng(71);
  for (int i = 0; i < 500; ++i) {
    const ArrayConfig a = testing::preset(i % 2 ? "large" : "small");
    const ConvShape s{1 + static_cast<int>(rng.below(3)), 1 + static_cast<int>(rng.below(200)), 7, 5,
                      1 + static_cast<int>(rng.below(200)), 1 + static_cast<int>(rng.below(3)), 2,
                      1 + static_cast<int>(rng.below(2)), static_cast<int>(rng.below(2))};
    const ComputeReportRow r = compute_report_row(s, a, closed_form_timing(s, a));
    EXPECT_NEAR(r.compute_util_percent, r.mapping_efficiency_percent, 1e-9);
    EXPECT_LE(r.overall_util_percent, r.compute_util_percent);
    EXPECT_LE(r.mapping_efficiency_percent, 100.0);
  }
}

TEST_F(ComputeReportTest, WrittenFileHoldsTheFormattedTextAndReadsBackToTheExactRows) {
  const ArrayConfig a = testing::preset("large");
  std::vector<ComputeReportRow> rows;
  for (const ConvJob& j : parse_scalesim_topology(std::string(ACCSIM_SOURCE_DIR) + "/configs/topologies/alexnet_conv.csv").layers)
    rows.push_back(compute_report_row(j.shape, a, closed_form_timing(j.shape, a)));
  Rng rng(72);
  for (int i = 0; i < 200; ++i)  // arbitrary doubles: the shortest text must read back bit for bit
    rows.push_back({static_cast<long long>(rng.below(1ULL << 52)), static_cast<long long>(rng.below(1000)),
                    100.0 * rng.uniform01() / (1 + rng.below(7)), std::ldexp(rng.uniform01() + 1.0, -20),
                    static_cast<double>(rng.next() >> 11) / 1e3, static_cast<long long>(rng.below(1ULL << 40)),
                    static_cast<long long>(rng.below(1000)), static_cast<long long>(rng.below(1000)),
                    static_cast<long long>(rng.below(1000)), static_cast<long long>(rng.below(100))});
  write_compute_report(file("COMPUTE_REPORT.csv"), rows);
  EXPECT_EQ(entries(), std::vector<std::string>{"COMPUTE_REPORT.csv"});
  EXPECT_EQ(slurp(file("COMPUTE_REPORT.csv")), format_compute_report(rows));
  EXPECT_EQ(read_compute_report(file("COMPUTE_REPORT.csv")), rows);
}

TEST_F(ComputeReportTest, WritingReplacesAnExistingReportAndLeavesNoTemporaryFile) {
  std::ofstream(file("COMPUTE_REPORT.csv")) << "old content that is longer than the new report ...........\n";
  write_compute_report(file("COMPUTE_REPORT.csv"), {{10, 2, 50.0, 75.0, 62.5}});
  EXPECT_EQ(slurp(file("COMPUTE_REPORT.csv")), format_compute_report({{10, 2, 50.0, 75.0, 62.5}}));
  EXPECT_EQ(entries(), std::vector<std::string>{"COMPUTE_REPORT.csv"});
}

TEST_F(ComputeReportTest, FailedWriteLeavesNoPartialFileAndNamesThePath) {
  fs::create_directories(dir_ / "COMPUTE_REPORT.csv" / "occupied");  // the target is a non-empty directory
  try {
    write_compute_report(file("COMPUTE_REPORT.csv"), {{1, 0, 1.0, 1.0, 1.0}});
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(file("COMPUTE_REPORT.csv") + ": cannot write", 0), 0u)
        << e.what();
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"COMPUTE_REPORT.csv"});  // only the directory
  EXPECT_TRUE(fs::is_directory(dir_ / "COMPUTE_REPORT.csv" / "occupied"));

  const std::string in_missing_dir = file("no/such/dir/COMPUTE_REPORT.csv");
  try {
    write_compute_report(in_missing_dir, {});
    ADD_FAILURE() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(in_missing_dir + ": cannot write"), std::string::npos) << e.what();
  }
  EXPECT_EQ(entries(), std::vector<std::string>{"COMPUTE_REPORT.csv"});
}

TEST_F(ComputeReportTest, ReadsScaleSimReportsWithIntegralFloatCyclesAndNoTrailingCommas) {
  std::ofstream(file("scalesim.csv"), std::ios::binary)
      << "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %\r\n"
         "0, 3905.0, 0.0, 47.60563380281690, 98.4375, 49.03846153846154\r\n\r\n"
         "1, 12, 3, 100.0, 100.0, 100.0\r\n";
  const std::vector<ComputeReportRow> rows = read_compute_report(file("scalesim.csv"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].total_cycles, 3905);
  EXPECT_EQ(rows[0].stall_cycles, 0);
  EXPECT_DOUBLE_EQ(rows[0].mapping_efficiency_percent, 98.4375);
  EXPECT_EQ(rows[1].stall_cycles, 3);
  EXPECT_EQ(rows[1].compute_cycles, 0);  // SCALE-Sim has no such column
}

TEST_F(ComputeReportTest, MalformedReportLinesNameTheFileLineAndColumn) {
  const std::string header = "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n";
  expect_read_error(header + "0, 10, 1, 5.0, 6.0, x,\n", {"line 2, column 'Compute Util %'", "expected a finite number >= 0", "got 'x'"});
  expect_read_error(header + "0, 10.5, 1, 5.0, 6.0, 7.0,\n", {"line 2, column 'Total Cycles'", "expected a whole number >= 0", "got '10.5'"});
  expect_read_error(header + "0, 10, -1, 5.0, 6.0, 7.0,\n", {"line 2, column 'Stall Cycles'", "got '-1'"});
  expect_read_error(header + "0, 10, 1, nan, 6.0, 7.0,\n", {"line 2, column 'Overall Util %'", "got 'nan'"});
  expect_read_error(header + "0, 10, 1, 5.0, 6.0, 7.0,\n2, 10, 1, 5.0, 6.0, 7.0,\n", {"line 3, column 'LayerID'", "expected 1"});
  expect_read_error(header + "0, 10, 1, 5.0,\n", {"line 2, column 'Mapping Efficiency %'", "expected 6 fields, got 4"});
  expect_read_error("Layer, Cycles,\n", {"line 1: unknown header", "LayerID, Total Cycles"});
  const std::string ours = format_compute_report({});
  expect_read_error(ours + "0, 10, 1, 5.0, 6.0, 7.0,\n", {"line 2, column 'Compute Cycles'", "expected 11 fields, got 6"});
  expect_read_error("", {"empty file"});
}

TEST_F(ComputeReportTest, MissingReportIsAnInputErrorNamingThePath) {
  EXPECT_THROW(read_compute_report(file("absent.csv")), InputError);
}

}  // namespace
}  // namespace accsim
