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

int topology_command(const RunConfig& rc, const RunOptions& options, std::ostream& out, std::ostream& err) {
  for (const std::string& w : rc.workload.topology_warnings) err << "accsim: warning: " << w << "\n";
  const std::uint64_t seed = rc.seed;
  const WorkloadTiming w = time_workload(rc, options.engine, seed);
  const std::string report = compute_report_path(options.out_file);
  const std::string bandwidth = bandwidth_report_path(options.out_file);
  const EnergyTable& energy = rc.array.energy;
  auto energy_of = [&](const EnergyCounts& c) { return estimate_energy(c, rc.array.datatype, energy).total_pj(); };

  out << "accsim " << ACCSIM_VERSION << " | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ", swizzle " << to_string(rc.array.swizzle)
      << ") | topology " << rc.workload.topology << " (batch " << rc.workload.batch << ") | seed " << seed
      << " | engine " << options.engine << "\n";
  print_faults(out, rc);
  out << "\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-14s %12s %12s %7s %13s %7s %10s %12s %12s\n", "layer", "cycles", "analytical",
                "ratio", "MACs", "util%", "stalls", "corrupted", "energy");
  out << line;
  std::vector<ComputeReportRow> rows;
  std::vector<BandwidthReportRow> bandwidth_rows;
  Table summary({{"cycles", CellType::integer, "cycles"},
                 {"analytical_cycles", CellType::integer, "cycles"},
                 {"macs", CellType::integer, ""},
                 {"utilisation", CellType::real, "fraction"},
                 {"stall_cycles", CellType::integer, "cycles"},
                 {"corrupted_outputs", CellType::integer, ""}});
  for (const auto& l : w.layers) {
    const double ratio = static_cast<double>(l.analytical.cycles) / static_cast<double>(l.timing.cycles);
    const std::string bad = l.ran_data ? std::to_string(l.diff.corrupted) : "-";
    std::snprintf(line, sizeof line, "%-14s %12lld %12lld %7.4f %13lld %7.1f %10lld %12s %12s\n", l.job.layer.c_str(),
                  l.timing.cycles, l.analytical.cycles, ratio, l.timing.macs, 100.0 * l.timing.utilisation,
                  l.timing.stall_cycles, bad.c_str(), energy_text(energy_of(energy_counts(l.timing))).c_str());
    out << line;
    rows.push_back(compute_report_row(l.job.shape, rc.array, l.timing));
    bandwidth_rows.push_back(bandwidth_report_row(l.job.shape, rc.array, l.timing));
    summary.add_row({l.timing.cycles, l.analytical.cycles, l.timing.macs, l.timing.utilisation, l.timing.stall_cycles,
                     l.diff.corrupted});
  }
  std::snprintf(line, sizeof line, "%-14s %12lld %12lld %7.4f %13lld %7.1f %10lld %12s %12s\n", "total", w.cycles,
                w.analytical_cycles, static_cast<double>(w.analytical_cycles) / static_cast<double>(w.cycles), w.macs,
                100.0 * w.utilisation, w.stall_cycles, "", energy_text(energy_of(w.energy_counts)).c_str());
  out << line;

  ResultsFile h5(options.out_file);
  write_output_format(h5, kTopologyRunOutput);
  write_run_attributes(h5, rc, seed, options.engine);
  h5.set_attribute("/", "topology", rc.workload.topology);
  std::vector<std::string> names, faults;
  for (const auto& l : w.layers) names.push_back(l.job.layer);
  for (const auto& f : rc.faults) faults.push_back(describe(f));
  h5.write_strings("/faults", faults);
  h5.write_strings("/layer_names", names);
  h5.write_table("/summary", summary);
  std::error_code ec;  // SCALE-Sim's run folder
  std::filesystem::create_directories(std::filesystem::path(report).parent_path(), ec);
  if (ec) throw InputError(report + ": cannot create the report's folder: " + ec.message());
  write_compute_report(report, rows);  // before the commit: a failure leaves neither file
  write_bandwidth_report(bandwidth, bandwidth_rows);
  h5.commit();
  out << "results: " << options.out_file << ", " << report << ", " << bandwidth << "\n";
  return 0;
}

}  // namespace accsim
