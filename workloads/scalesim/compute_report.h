#pragma once
// SCALE-Sim's COMPUTE_REPORT.csv, written from accsim's per-layer timing so that architects
// can diff it against SCALE-Sim's report of the same topology. SCALE-Sim v2's six columns
// come first, in its dialect, then accsim's own (one column per meaning):
//   LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,
//   Compute Cycles, Weight Load Stall Cycles, Data Fetch Stall Cycles, Post-processing Cycles,
//   Pipeline Drain Cycles,
//   0, 1234, 16, 95.61403508771929, 100.0, 97.5, 1200, 2, 0, 0, 7,
// LayerID counts from 0 in topology order; integers are plain decimals; percentages are
// printed like Python's str(float) (shortest text that reads back as the same double).
//
// Columns, for a job on an atomic_c x atomic_k array (JobTiming from arch/job_timing.h):
//   Total Cycles         JobTiming::cycles: job start to the last result leaving the pipeline
//                        = the sum of Compute, the three stalls, Post-processing and Drain.
//   Stall Cycles         SCALE-Sim's meaning, cycles the array waits for DRAM:
//                        JobTiming::dram_stall_cycles (0 without array.memory).
//   Overall Util %       100 * macs / (cycles * atomic_c * atomic_k) (JobTiming::utilisation).
//   Mapping Efficiency % 100 * the fraction of PEs holding a useful weight, averaged over
//                        stripes: mean of rows(b) * cols(g) / (atomic_c * atomic_k)
//                        = 100 * C * K / (B * atomic_c * G * atomic_k) (every fold (g, b)
//                        runs the same number of stripes).
//   Compute Util %       100 * macs / (atomic_ops * atomic_c * atomic_k): utilisation while
//                        the array computes (stalls and the pipeline drain excluded).
// accsim's columns (no SCALE-Sim counterpart; its SRAM-to-array path never stalls):
//   Compute Cycles             JobTiming::atomic_ops: cycles the array computes.
//   Weight Load Stall Cycles   JobTiming::stall_cycles: waits for weights (CBUF -> shadow registers).
//   Data Fetch Stall Cycles    JobTiming::data_fetch_stall_cycles: waits at CBUF's data port.
//   Post-processing Cycles     JobTiming::postprocess_cycles: SDP and PDP after the last operation.
//   Pipeline Drain Cycles      ArrayConfig::mac_pipeline_depth: CMAC's latency, paid once.
// A SCALE-Sim report (its six columns) reads with accsim's columns 0.
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/conv_job.h"
#include "arch/job_timing.h"

namespace accsim {

struct ComputeReportRow {
  long long total_cycles = 0;
  long long stall_cycles = 0;
  double overall_util_percent = 0.0;
  double mapping_efficiency_percent = 0.0;
  double compute_util_percent = 0.0;
  long long compute_cycles = 0, weight_load_stall_cycles = 0, data_fetch_stall_cycles = 0;
  long long postprocess_cycles = 0, pipeline_drain_cycles = 0;

  bool operator==(const ComputeReportRow& o) const {
    return total_cycles == o.total_cycles && stall_cycles == o.stall_cycles &&
           overall_util_percent == o.overall_util_percent &&
           mapping_efficiency_percent == o.mapping_efficiency_percent &&
           compute_util_percent == o.compute_util_percent && compute_cycles == o.compute_cycles &&
           weight_load_stall_cycles == o.weight_load_stall_cycles &&
           data_fetch_stall_cycles == o.data_fetch_stall_cycles && postprocess_cycles == o.postprocess_cycles &&
           pipeline_drain_cycles == o.pipeline_drain_cycles;
  }
};

// The fraction (0, 1] of PEs holding a useful weight, averaged over the job's stripes.
double mapping_efficiency(const ConvShape& shape, const ArrayConfig& array);

// One report row of a job run with `timing` (from any engine: the values must describe `shape`).
ComputeReportRow compute_report_row(const ConvShape& shape, const ArrayConfig& array, const JobTiming& timing);

// Where SCALE-Sim's tools find a run's report: <log dir>/<run name>/COMPUTE_REPORT.csv
// (scalesim/simulator.py writes it there, ScalesimReport.load_compute_report_data reads
// it). accsim's run name is the results file's stem and its log dir the results file's
// folder: out/alex.h5 -> out/alex/COMPUTE_REPORT.csv.
std::string compute_report_path(const std::string& results_file);

// The whole file: header and one line per row, each ending in ",\n".
std::string format_compute_report(const std::vector<ComputeReportRow>& rows);

// Writes the report to a temporary file next to `path`, then renames it over `path`, so a
// failure never leaves a partial report. Failures are InputErrors naming `path`.
void write_compute_report(const std::string& path, const std::vector<ComputeReportRow>& rows);

// Reads a report in this format (accsim's eleven columns or SCALE-Sim v2's six); LayerIDs must be 0, 1, 2, ...
// Problems are InputErrors naming the file, the line and the column.
std::vector<ComputeReportRow> read_compute_report(const std::string& path);

// Python's repr/str of a double (shortest round-trip digits; 100.0, 1e-05, 1.5e+16).
std::string python_float_text(double v);

}  // namespace accsim
