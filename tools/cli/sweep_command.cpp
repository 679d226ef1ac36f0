#include "tools/cli/sweep_command.h"

#include <algorithm>
#include <filesystem>

#include "tools/cli/config_overrides.h"
#include "tools/cli/stop_signals.h"
#include "workloads/experiments/run_checkpoint.h"
#include "workloads/run/workload_input.h"
#include "workloads/sweep/sweep.h"

namespace accsim {

namespace {

// What the header names: the ONNX model, the topology or the built-in network.
std::string workload_name(const RunConfig& rc) {
  if (rc.workload.graph)
    return rc.workload.graph->name + " (ONNX " + std::filesystem::path(rc.workload.model).lexically_normal().string() + ")";
  return rc.workload.topology.empty() ? rc.workload.network.name : rc.workload.topology;
}

}  // namespace

int sweep_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  const Sweep sweep = parse_sweep(rc);  // every point validated before anything runs
  // and its dataset: an unusable one is refused here, not midway; an absent one said once
  // (the points' own notes would repeat it for every point)
  bool synthetic = false;
  for (const SweepPoint& p : sweep.points)
    if (p.config.workload.topology.empty()) synthetic = !dataset_usable(p.config.workload, p.config.file) || synthetic;
  if (synthetic)
    err << "accsim: note: Fashion-MNIST not found in " << rc.workload.dataset_dir
        << " (Debian package dataset-fashion-mnist); the points run on seeded synthetic images\n";
  for (const std::string& w : rc.workload.topology_warnings) err << "accsim: warning: " << w << "\n";
  SweepOptions so;
  so.engine = options.engine;
  so.out_file = options.out_file;
  so.seed = rc.seed;
  so.progress = progress_style_for_stderr(options.quiet);
  out << "accsim " << ACCSIM_VERSION << " sweep | " << sweep.points.size() << " points over";
  for (const auto& k : sweep.keys) out << " " << k;
  out << " | " << workload_name(rc) << " | seed " << so.seed << " | engine " << so.engine << "\n";
  StopSignals signals;  // Ctrl-C, a kill: finished points are checkpointed, exit 130 / 143
  so.stop = &signals.flag();
  const SweepResult result = run_sweep(sweep, so, out, err);
  if (!result.complete) {
    const auto done = std::count_if(result.points.begin(), result.points.end(), [](const auto& p) { return p.done; });
    err << "accsim: sweep stopped after " << done << " of " << result.points.size() << " points; they are kept in "
        << checkpoint_path(options.out_file) << ": rerun the same command to resume\n";
    return signals.exit_code();
  }
  return 0;
}

}  // namespace accsim
