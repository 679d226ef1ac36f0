#include "workloads/sweep/sweep_output.h"

#include <cstdio>
#include <filesystem>

#include "workloads/io/csv_writer.h"
#include "workloads/io/interval_text.h"
#include "workloads/io/output_format.h"
#include "workloads/io/plot_script.h"
#include "workloads/io/results_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/sweep/sweep_layers.h"
#include "workloads/sweep/sweep_points_table.h"

namespace accsim {

namespace {

std::string with_extension(const std::string& file, const std::string& ext) {
  return std::filesystem::path(file).replace_extension(ext).string();
}

}  // namespace

std::string sweep_layers_csv_path(const std::string& out_file) { return with_extension(out_file, "") + "_layers.csv"; }

void print_sweep_points(std::ostream& out, const Sweep& sweep, const std::vector<SweepPointResult>& points) {
  const bool campaign = sweep.has_campaign();
  char line[512];
  std::string header = "point";
  for (const auto& k : sweep.keys) header += "  " + k;
  out << header << "  |  cycles  analytical(ratio)  MACs  util%  stalls  corrupted"
      << (campaign ? "  SDC% [95%]  crash% [95%]" : "") << "\n";
  for (std::size_t i = 0; i < points.size(); ++i) {
    const SweepPointResult& p = points[i];
    std::string values;
    for (const auto& v : sweep.points[i].values) values += "  " + value_text(v);
    std::snprintf(line, sizeof line, "%5zu%s  |  %lld  %lld(%.4f)  %lld  %.1f  %lld  %lld", i, values.c_str(), p.cycles,
                  p.analytical_cycles, static_cast<double>(p.analytical_cycles) / static_cast<double>(p.cycles), p.macs,
                  100.0 * p.utilisation, p.stall_cycles, p.corrupted_outputs);
    out << line;
    if (campaign)
      out << "  " << percent_interval_text(p.sdc_rate, {p.sdc_lo, p.sdc_hi}, 1) << "  "
          << percent_interval_text(p.crash_rate, {p.crash_lo, p.crash_hi}, 1);
    out << "\n";
  }
}

void write_sweep_outputs(const Sweep& sweep, const SweepOptions& o, const SweepResult& result, std::ostream& out,
                         std::ostream& progress) {
  const std::vector<SweepPointResult>& points = result.points;
  std::vector<std::vector<std::string>> values;
  for (const SweepPoint& p : sweep.points) {
    values.emplace_back();
    for (const std::string& v : p.values) values.back().push_back(value_text(v));
  }
  ResultsFile h5(o.out_file);
  write_output_format(h5, kSweepOutput);
  write_run_attributes(h5, sweep.file, sweep.json_text, o.seed, o.engine);
  h5.write_strings("/keys", sweep.keys);
  for (std::size_t k = 0; k < sweep.keys.size(); ++k) {
    std::vector<std::string> v;
    for (const auto& p : sweep.points) v.push_back(p.values[k]);
    h5.write_strings("/values/" + std::to_string(k), v);
  }
  h5.write_table("/points", points_table(points, sweep.has_campaign()));
  h5.write_table("/layers", layers_table(result.layers, {}, {}));
  h5.commit();
  const std::string csv = with_extension(o.out_file, ".csv"), layers_csv = sweep_layers_csv_path(o.out_file);
  write_csv(csv, csv_table(sweep, points));
  write_csv(layers_csv, layers_table(result.layers, sweep.keys, values));
  out << "results: " << o.out_file << ", " << csv << ", " << layers_csv;
  const std::string png = with_extension(o.out_file, ".png");
  if (o.plot && draw_plot("plot_sweep.py", {csv, png}, progress)) out << ", " << png;
  out << "\n";
}

}  // namespace accsim
