#include "tools/cli/pvf_command.h"

#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>

#include "arch/input_error.h"
#include "tools/cli/config_overrides.h"
#include "tools/cli/output_guard.h"
#include "tools/cli/resumable_run.h"
#include "workloads/experiments/available_cpus.h"
#include "workloads/io/csv_writer.h"
#include "workloads/io/plot_script.h"
#include "workloads/experiments/progress_meter.h"
#include "workloads/pvf/pvf_checkpoint.h"
#include "workloads/pvf/pvf_report.h"
#include "workloads/pvf/pvf_setup.h"
#include "workloads/io/run_attributes.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/pvf/pvf_adaptive_report.h"
#include "workloads/run/run_config.h"

namespace accsim {

namespace {

// An adaptive run's strata table beside the results file: <out stem>_strata.csv.
std::string strata_csv_path(const std::string& out_file) {
  return std::filesystem::path(out_file).replace_extension("").string() + "_strata.csv";
}

// What `accsim pvf` refuses before it runs anything; an adaptive run's strata CSV guarded
// like its other outputs.
void check_pvf_run(const RunConfig& rc, const RunOptions& options) {
  if (!rc.pvf)
    throw InputError(rc.file + ": pvf: required key is missing (accsim pvf needs a \"pvf\" object, docs/pvf.md)");
  if (!rc.faults.empty())
    throw InputError(rc.file + ": faults: a PVF campaign corrupts parameters on a healthy array; remove \"faults\"");
  if (rc.pvf->stop.enabled()) {
    RunOptions guarded = options;
    guarded.outputs.push_back(strata_csv_path(options.out_file));
    refuse_unsafe_outputs(guarded, run_inputs(rc, options.config_file));
  }
}

// The HDF5 file, the CSV (and an adaptive run's strata CSV); returns the CSV's path.
std::string write_pvf_outputs(const RunConfig& rc, const RunOptions& options, const PvfSetup& setup,
                              const PvfResults& results, const PvfSummary& summary) {
  const PvfCampaign& campaign = setup.campaign;
  ResultsFile h5(options.out_file);
  write_pvf_results(h5, campaign, results, summary);
  write_run_attributes(h5, rc.file, rc.json_text, rc.seed, "fast");
  h5.set_attribute("/", "model_source", setup.model_source);
  h5.set_attribute("/", "input_source", setup.input_source);
  if (rc.workload.graph) h5.set_attribute("/", "model", rc.workload.model);
  h5.commit();
  const std::string csv = std::filesystem::path(options.out_file).replace_extension(".csv").string();
  write_csv(csv, pvf_csv_table(campaign, results, summary));
  if (rc.pvf->stop.enabled())  // adaptive runs: one row per stratum (docs/pvf.md)
    write_csv(strata_csv_path(options.out_file), pvf_strata_table(summarize_adaptive(campaign, results)));
  return csv;
}

// The run's header: array, model, inputs, experiments, what ran here and how fast.
void print_pvf_header(std::ostream& out, const RunConfig& rc, const PvfSetup& setup, const PvfResults& results,
                      const std::string& checkpoint, double seconds) {
  const PvfConfig& pc = *rc.pvf;
  const long long fresh = results.done_count() - results.resumed;
  const int threads = resolve_threads(pc.threads);
  out << "accsim " << ACCSIM_VERSION << " pvf | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ") | " << setup.model_name << ", "
      << setup.model_source << " | seed " << rc.seed << "\n"
      << setup.input_source << " as the input pool; fault-free accuracy " << std::fixed << std::setprecision(1)
      << 100.0 * static_cast<double>(results.golden_correct[0]) / static_cast<double>(results.images) << "%\n"
      << std::defaultfloat << results.experiments.size() << " experiments ("
      << (pc.stop.enabled() ? "adaptive, per stratum until its interval is narrow enough"
                            : std::to_string(pc.experiments) + " per fault model and target")
      << "), each one draw of the fault model and one image drawn from the pool";
  if (results.resumed > 0) out << "; " << results.resumed << " resumed from " << checkpoint;
  out << "\n";
  print_ran_here(out, fresh, "", threads, seconds, "experiments/s");
  out << "\n\n";
}

}  // namespace

int pvf_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  check_pvf_run(rc, options);
  PvfSetup setup = load_pvf_setup(rc, rc.seed, err);
  const PvfCampaign& campaign = setup.campaign;

  check_output_path(options.out_file);
  ResumableRun run(options, out, err, "pvf");
  const auto ro = run.runner_options<PvfRunOptions>();
  const PvfResults results = run.timed([&] { return run_pvf(campaign, ro); });
  if (const auto code = run.stopped(results.complete(), results.done_count(), results.experiments.size()))
    return *code;

  const PvfSummary summary = summarize_pvf(campaign, results);
  const std::string csv = write_pvf_outputs(rc, options, setup, results, summary);
  discard_checkpoint(options.out_file);
  print_pvf_header(out, rc, setup, results, run.checkpoint(), run.seconds());
  print_pvf_summary(out, campaign, results, summary);
  const std::string png = std::filesystem::path(options.out_file).replace_extension(".png").string();
  out << "\nresults: " << options.out_file << ", " << csv;
  if (draw_plot("plot_pvf.py", {csv, png}, err)) out << ", " << png;
  out << "\n";
  return 0;
}

}  // namespace accsim
