// BANDWIDTH_REPORT.csv: SCALE-Sim's header and dialect, averages that follow from the
// job's traffic and cycles, and its place beside COMPUTE_REPORT.csv.
#include "workloads/scalesim/bandwidth_report.h"

#include <gtest/gtest.h>

#include <string>

#include "arch/job_timing.h"
#include "test_util.h"

namespace accsim {
namespace {

ArrayConfig small_with_memory() {
  ArrayConfig a = testing::preset("small");
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  return a;
}

TEST(BandwidthReport, HeaderIsScaleSimsThenAccsimsTotals) {
  const std::string text = format_bandwidth_report({BandwidthReportRow{}});
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, "
            "Avg FILTER DRAM BW, Avg OFMAP DRAM BW, DRAM Read Bytes, DRAM Write Bytes, CBUF Read Bytes, "
            "CBUF Write Bytes,");
  EXPECT_EQ(text.substr(text.find('\n') + 1), "0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0, 0, 0,\n");
}

TEST(BandwidthReport, AveragesAreTheJobsElementsOverItsCycles) {
  const ArrayConfig a = small_with_memory();
  const ConvShape fc1{1, 400, 1, 1, 120, 1, 1, 1, 0};  // 1x1: one output position
  const JobTiming t = closed_form_timing(fc1, a);
  const BandwidthReportRow r = bandwidth_report_row(fc1, a, t);
  const double cycles = static_cast<double>(t.cycles);
  EXPECT_DOUBLE_EQ(r.ifmap_dram, 400.0 / cycles);
  EXPECT_DOUBLE_EQ(r.filter_dram, 48000.0 / cycles);  // weights fetched once (ping-pong kernel groups)
  EXPECT_DOUBLE_EQ(r.ofmap_dram, 120.0 / cycles);
  EXPECT_DOUBLE_EQ(r.ofmap_sram, 120.0 / cycles);
  EXPECT_DOUBLE_EQ(r.ifmap_sram, 15.0 * 400 / cycles);  // 15 kernel groups read the input again
  EXPECT_DOUBLE_EQ(r.filter_sram, 48000.0 / cycles);    // one tile: every weight once
  EXPECT_EQ(r.dram_read_bytes, (400 + 48000) * 4);
  EXPECT_EQ(r.dram_write_bytes, 120 * 4);
  EXPECT_EQ(r.cbuf_write_bytes, r.dram_read_bytes);
  EXPECT_EQ(r.cbuf_read_bytes, (15 * 400 + 48000) * 4);
}

TEST(BandwidthReport, LivesBesideTheComputeReport) {
  EXPECT_EQ(bandwidth_report_path("out/alex.h5"), "out/alex/BANDWIDTH_REPORT.csv");
}

}  // namespace
}  // namespace accsim
