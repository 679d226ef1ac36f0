#include "tools/cli/sweep_command.h"

#include <filesystem>

#include "tools/cli/config_overrides.h"
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
  for (const std::string& w : rc.workload.topology_warnings) err << "accsim: warning: " << w << "\n";
  SweepOptions so;
  so.engine = options.engine;
  so.out_file = options.out_file;
  so.seed = rc.seed;
  so.progress = progress_style_for_stderr(options.quiet);
  out << "accsim " << ACCSIM_VERSION << " sweep | " << sweep.points.size() << " points over";
  for (const auto& k : sweep.keys) out << " " << k;
  out << " | " << workload_name(rc) << " | seed " << so.seed << " | engine " << so.engine << "\n";
  run_sweep(rc, sweep, so, out, err);
  return 0;
}

}  // namespace accsim
