#include "tools/cli/topology_command.h"

#include <cstdio>
#include <filesystem>

#include "arch/input_error.h"
#include "workloads/scalesim/bandwidth_report.h"
#include "workloads/scalesim/compute_report.h"
#include "workloads/io/output_format.h"
#include "workloads/io/results_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/run/workload_timing.h"

namespace accsim {

namespace {

// One column of the per-layer table and of /summary: the value of a layer's timing.
struct TimingColumn {
  const char* heading;  // in the terminal table
  ColumnSpec spec;      // in /summary
  long long JobTiming::*member;
  bool memory;  // the memory side's: shown with array.memory only
};

const std::vector<TimingColumn>& timing_columns() {
  static const std::vector<TimingColumn> columns = {
      {"wload", {"weight_load_cycles", CellType::integer, "cycles"}, &JobTiming::weight_load_cycles, false},
      {"stalls", {"stall_cycles", CellType::integer, "cycles"}, &JobTiming::stall_cycles, false},
      {"dfetch", {"data_fetch_stall_cycles", CellType::integer, "cycles"}, &JobTiming::data_fetch_stall_cycles, true},
      {"dram", {"dram_stall_cycles", CellType::integer, "cycles"}, &JobTiming::dram_stall_cycles, true},
      {"sdp", {"postprocess_cycles", CellType::integer, "cycles"}, &JobTiming::postprocess_cycles, true},
      {"DRAM rd B", {"dram_read_bytes", CellType::integer, "bytes"}, &JobTiming::dram_read_bytes, true},
      {"DRAM wr B", {"dram_write_bytes", CellType::integer, "bytes"}, &JobTiming::dram_write_bytes, true},
  };
  return columns;
}

void print_row(std::ostream& out, const char* name, const JobTiming& t, long long analytical, const std::string& corrupted,
               const std::string& energy, bool memory) {
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %12lld %12lld %7.4f %13lld %7.1f", name, t.cycles, analytical,
                static_cast<double>(analytical) / static_cast<double>(t.cycles), t.macs, 100.0 * t.utilisation);
  out << line;
  for (const TimingColumn& c : timing_columns())
    if (memory || !c.memory) {
      std::snprintf(line, sizeof line, " %10lld", t.*c.member);
      out << line;
    }
  std::snprintf(line, sizeof line, " %12s %12s\n", corrupted.c_str(), energy.c_str());
  out << line;
}

// The per-layer table and its total row; with array.memory also the memory side's stalls
// and DRAM traffic (docs/cycle_model.md, "Memory side").
void print_layers(std::ostream& out, const RunConfig& rc, const WorkloadTiming& w, const EnergyTable& energy) {
  const bool memory = rc.array.memory.enabled;
  auto energy_of = [&](const EnergyCounts& c) {
    return energy_text(estimate_energy(c, rc.array.datatype, energy).total_pj());
  };
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %12s %12s %7s %13s %7s", "layer", "cycles", "analytical", "ratio", "MACs",
                "util%");
  out << line;
  for (const TimingColumn& c : timing_columns())
    if (memory || !c.memory) {
      std::snprintf(line, sizeof line, " %10s", c.heading);
      out << line;
    }
  std::snprintf(line, sizeof line, " %12s %12s\n", "corrupted", "energy");
  out << line;
  JobTiming total;
  for (const auto& l : w.layers) {
    print_row(out, l.job.layer.c_str(), l.timing, l.analytical.cycles, l.ran_data ? std::to_string(l.diff.corrupted) : "-",
              energy_of(energy_counts(l.timing)), memory);
    for (const TimingColumn& c : timing_columns()) total.*c.member += l.timing.*c.member;
  }
  total.cycles = w.cycles, total.macs = w.macs, total.utilisation = w.utilisation;
  print_row(out, "total", total, w.analytical_cycles, "", energy_of(w.energy_counts), memory);
}

Table summary_table(const WorkloadTiming& w) {
  std::vector<ColumnSpec> specs = {{"cycles", CellType::integer, "cycles"},
                                   {"analytical_cycles", CellType::integer, "cycles"},
                                   {"macs", CellType::integer, ""},
                                   {"utilisation", CellType::real, "fraction"}};
  for (const TimingColumn& c : timing_columns()) specs.push_back(c.spec);
  specs.push_back({"corrupted_outputs", CellType::integer, ""});
  Table summary(specs);
  for (const auto& l : w.layers) {
    std::vector<Cell> row = {l.timing.cycles, l.analytical.cycles, l.timing.macs, l.timing.utilisation};
    for (const TimingColumn& c : timing_columns()) row.push_back(l.timing.*c.member);
    row.push_back(l.diff.corrupted);
    summary.add_row(row);
  }
  return summary;
}

// The HDF5 file and SCALE-Sim's two reports in its run folder; a failure leaves none of them.
void write_results(const RunConfig& rc, const RunOptions& options, const WorkloadTiming& w, std::ostream& out) {
  const std::string report = compute_report_path(options.out_file);
  const std::string bandwidth = bandwidth_report_path(options.out_file);
  std::vector<ComputeReportRow> rows;
  std::vector<BandwidthReportRow> bandwidth_rows;
  std::vector<std::string> names, faults;
  for (const auto& l : w.layers) {
    rows.push_back(compute_report_row(l.job.shape, rc.array, l.timing));
    bandwidth_rows.push_back(bandwidth_report_row(l.job.shape, rc.array, l.timing));
    names.push_back(l.job.layer);
  }
  for (const auto& f : rc.faults) faults.push_back(describe(f));
  ResultsFile h5(options.out_file);
  write_output_format(h5, kTopologyRunOutput);
  write_run_attributes(h5, rc.file, rc.json_text, rc.seed, options.engine);
  h5.set_attribute("/", "topology", rc.workload.topology);
  h5.write_strings("/faults", faults);
  h5.write_strings("/layer_names", names);
  h5.write_table("/summary", summary_table(w));
  std::error_code ec;  // SCALE-Sim's run folder
  std::filesystem::create_directories(std::filesystem::path(report).parent_path(), ec);
  if (ec) throw InputError(report + ": cannot create the report's folder: " + ec.message());
  write_compute_report(report, rows);  // before the commit: a failure leaves neither file
  write_bandwidth_report(bandwidth, bandwidth_rows);
  h5.commit();
  out << "results: " << options.out_file << ", " << report << ", " << bandwidth << "\n";
}

}  // namespace

int topology_command(const RunConfig& rc, const RunOptions& options, std::ostream& out, std::ostream& err) {
  for (const std::string& w : rc.workload.topology_warnings) err << "accsim: warning: " << w << "\n";
  const WorkloadTiming w = time_workload(rc.array, rc.faults, rc.workload, options.engine, rc.seed);
  out << "accsim " << ACCSIM_VERSION << " | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ", swizzle " << to_string(rc.array.swizzle)
      << ") | topology " << rc.workload.topology << " (batch " << rc.workload.batch << ") | seed " << rc.seed
      << " | engine " << options.engine << "\n";
  print_faults(out, rc);
  out << "\n";
  print_layers(out, rc, w, rc.array.energy);
  write_results(rc, options, w, out);
  return 0;
}

}  // namespace accsim
