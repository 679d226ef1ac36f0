#include "tools/cli/dlrm_command.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "arch/input_error.h"
#include "workloads/io/csv_writer.h"
#include "tools/cli/config_overrides.h"
#include "workloads/dlrm/dlrm_study.h"
#include "workloads/io/plot_script.h"
#include "workloads/io/results_file.h"

namespace accsim {

namespace {

std::string with_extension(const std::string& file, const std::string& ext) {
  return std::filesystem::path(file).replace_extension(ext).string();
}

}  // namespace

int dlrm_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const DlrmStudyConfig cfg = load_dlrm_config(options);
  check_output_path(options.out_file);
  DlrmStudyOptions o;
  o.engine = options.engine;
  o.seed = cfg.seed;
  o.threads = cfg.threads;
  o.progress = progress_style_for_stderr(options.quiet);
  out << "accsim " << ACCSIM_VERSION << " dlrm | array " << cfg.array.name << " (" << cfg.array.atomic_c << "x"
      << cfg.array.atomic_k << ") | seed " << o.seed << " | engine " << o.engine << "\n"
      << "model: " << describe_model(cfg) << " | " << cfg.parameters << " parameters"
      << (cfg.onnx.file.empty() ? ", untrained, uniform init\n" : "\n")
      << "faults: " << to_string(cfg.faults.models.front().kind);
  if (cfg.faults.models.size() > 1) out << " swept over " << cfg.faults.models.size() << " values of " << cfg.faults.swept;
  out << ", " << cfg.faults.targets.size() << " targets, " << cfg.trials << " trials each\n";
  const auto t0 = std::chrono::steady_clock::now();
  const DlrmStudyResult r = run_dlrm_study(cfg, o, err);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  out << "\nRMSE between fault-free and faulty outputs over every output of the trials whose outputs are all finite,\n"
         "[95% interval]; \"k nan\": k trials produced a NaN/Inf output (PyTEI reports their RMSE as nan). Column\n"
         "heads give each target's parameter count. One fault-free forward pass: "
      << r.forward_cycles << " array cycles.\n\n"
      << format_dlrm_table(cfg, r);
  write_dlrm_results(options.out_file, cfg, o, r);
  const std::string csv = with_extension(options.out_file, ".csv"), png = with_extension(options.out_file, ".png");
  write_csv(csv, dlrm_csv_table(cfg, r));
  char line[64];
  std::snprintf(line, sizeof line, "\n%.1f s; results: ", seconds);
  out << line << options.out_file << ", " << csv;
  if (draw_plot("plot_dlrm.py", {csv, png}, err)) out << ", " << png;
  out << "\n";
  return 0;
}

}  // namespace accsim
