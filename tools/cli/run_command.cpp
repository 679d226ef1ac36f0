#include "tools/cli/run_command.h"

#include <algorithm>
#include <iomanip>
#include <optional>

#include "arch/pe_faults.h"
#include "faultmodels/checked_engine.h"
#include "tools/cli/config_overrides.h"
#include "tools/cli/run_tables.h"
#include "tools/cli/topology_command.h"
#include "workloads/io/output_format.h"
#include "workloads/io/results_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/models/graph_runner.h"
#include "workloads/run/engines.h"
#include "workloads/run/swizzle_report.h"
#include "workloads/run/workload_model.h"

namespace accsim {

namespace {

// The model fault-free and with the faults, both recorded; the faulty run behind the
// mitigations' check when there is one.
struct ModelRuns {
  GraphRun golden, faulty;
  std::optional<CheckStats> check;  // the check's statistics, when one ran
  std::string check_name;
};

ModelRuns run_model(const RunConfig& rc, const std::string& engine, const Graph& graph, const Tensor& input) {
  const PeFaults healthy, faulty(rc.array, rc.faults);
  ModelRuns runs;
  runs.golden = run_graph(graph, input, *make_engine(engine, rc.array, healthy), true);
  const auto faulty_engine = make_engine(engine, rc.array, faulty);
  if (rc.mitigations.check == MitigationCheck::none) {
    runs.faulty = run_graph(graph, input, *faulty_engine, true);
    return runs;
  }
  CheckedEngine checked(*faulty_engine, rc.array,
                        rc.mitigations.check == MitigationCheck::abft ? CheckKind::abft : CheckKind::duplicate);
  runs.faulty = run_graph(graph, input, checked, true);
  runs.check = checked.stats();
  runs.check_name = checked.name();
  return runs;
}

void print_mitigations(std::ostream& out, const RunConfig& rc, const ModelRuns& runs, const Graph& graph) {
  if (runs.check) {
    const CheckStats& cs = *runs.check;
    out << "mitigation " << runs.check_name << ": " << cs.detections << " of " << cs.jobs << " jobs flagged, "
        << cs.corrected << " corrected by re-execution, cycle overhead " << std::fixed << std::setprecision(1)
        << 100.0 * cs.overhead() << "%" << std::defaultfloat << "\n";
  }
  const ActivationClip& clip = rc.mitigations.clip;
  if (clip.mode == ClipMode::none) return;
  const auto relus = std::count_if(graph.nodes.begin(), graph.nodes.end(), [](const Node& n) { return n.op == "Relu"; });
  out << "mitigation: activations clipped at " << clip.threshold
      << (clip.mode == ClipMode::saturate ? " (saturating)" : " (zeroing)") << " on every ReLU (" << relus << " nodes)\n";
}

Table summary_table(const std::vector<NodeReport>& rows) {
  Table t({{"op", CellType::text, ""},
           {"jobs", CellType::integer, ""},
           {"start_cycle", CellType::integer, "cycles"},
           {"cycles", CellType::integer, "cycles"},
           {"macs", CellType::integer, ""},
           {"utilisation", CellType::real, "fraction"},
           {"stall_cycles", CellType::integer, "cycles"},
           {"weight_load_cycles", CellType::integer, "cycles"},
           {"data_fetch_stall_cycles", CellType::integer, "cycles"},
           {"dram_stall_cycles", CellType::integer, "cycles"},
           {"postprocess_cycles", CellType::integer, "cycles"},
           {"dram_read_bytes", CellType::integer, "bytes"},
           {"dram_write_bytes", CellType::integer, "bytes"},
           {"energy_pj", CellType::real, "pJ"},
           {"mac_energy_pj", CellType::real, "pJ"},
           {"register_energy_pj", CellType::real, "pJ"},
           {"cbuf_energy_pj", CellType::real, "pJ"},
           {"dram_energy_pj", CellType::real, "pJ"},
           {"corrupted_outputs", CellType::integer, ""},
           {"nonfinite_outputs", CellType::integer, ""},
           {"max_abs_error", CellType::real, ""},
           {"fits_cbuf", CellType::integer, ""}});
  for (const NodeReport& r : rows)
    t.add_row({r.op, r.jobs, r.start_cycle, r.cycles, r.macs, r.utilisation, r.stall_cycles, r.weight_load_cycles,
               r.data_fetch_stall_cycles, r.dram_stall_cycles, r.postprocess_cycles, r.dram_read_bytes,
               r.dram_write_bytes, r.energy.total_pj(), r.energy.mac_pj, r.energy.register_pj, r.energy.cbuf_pj,
               r.energy.dram_pj, r.diff.corrupted, r.diff.non_finite, r.diff.max_abs_error, r.fits_cbuf ? 1 : 0});
  return t;
}

// Per array node: its stationary parameter (when an initializer) and its output, both runs.
void write_layers(ResultsFile& h5, const Graph& graph, const ModelRuns& runs, const std::vector<NodeReport>& rows) {
  std::vector<std::string> names;
  for (const NodeReport& r : rows) {
    const std::string base = "/layers/" + hdf5_group_name(r.node);
    const Node& node = *std::find_if(graph.nodes.begin(), graph.nodes.end(), [&](const Node& n) { return n.name == r.node; });
    if (graph.is_initializer(node.input(1))) h5.write_tensor(base + "/weights", graph.initializers.at(node.input(1)));
    h5.write_tensor(base + "/golden_output", runs.golden.values.at(node.outputs[0]));
    h5.write_tensor(base + "/faulty_output", runs.faulty.values.at(node.outputs[0]));
    names.push_back(r.node);
  }
  h5.write_strings("/layer_names", names);
}

void write_results(const RunOptions& options, const RunConfig& rc, const WorkloadModel& model, const WorkloadInput& input,
                   const ModelRuns& runs, const std::vector<NodeReport>& rows, const std::vector<SwizzleReportRow>& report) {
  ResultsFile h5(options.out_file);
  write_output_format(h5, kRunOutput);
  write_run_attributes(h5, rc.file, rc.json_text, rc.seed, options.engine);
  h5.set_attribute("/", "input_source", input.source);
  h5.set_attribute("/", "model", model.model);
  h5.set_attribute("/", "model_source", model.source);
  h5.set_attribute("/", "datatype", to_string(rc.array.datatype));
  std::vector<std::string> fault_text;
  for (const auto& f : rc.faults) fault_text.push_back(describe(f));
  h5.write_strings("/faults", fault_text);
  h5.write_tensor("/input", input.images);
  h5.write_tensor("/golden/output", runs.golden.outputs.at(0));
  h5.write_tensor("/faulty/output", runs.faulty.outputs.at(0));
  write_layers(h5, *model.graph, runs, rows);
  h5.write_table("/summary", summary_table(rows));
  std::vector<std::string> names;
  for (const NodeReport& r : rows) names.push_back(r.node);
  h5.write_strings("/swizzle_policies", swizzle_policy_names());
  h5.write_table("/swizzle_report", swizzle_report_table(report, names));
  h5.commit();
}

}  // namespace

void print_faults(std::ostream& out, const RunConfig& rc) {
  out << "faults:";
  if (rc.faults.empty() && rc.protected_faults.empty()) out << " none";
  for (const auto& f : rc.faults) out << "\n  " << describe(f);
  for (const auto& f : rc.protected_faults) out << "\n  " << describe(f) << ": on a protected bit (mitigations.protect_bits), never acts";
  out << "\n";
}

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  if (!rc.workload.topology.empty()) return topology_command(rc, options, out, err);
  const WorkloadModel model = load_workload_model(rc.workload, rc.mitigations.clip, rc.file, rc.seed);
  const Graph& graph = *model.graph;
  const WorkloadInput input = load_model_input(rc.workload, rc.file, rc.seed, model, err);
  const ModelRuns runs = run_model(rc, options.engine, graph, input.images);
  const std::vector<NodeReport> rows = array_node_reports(graph, runs.golden, runs.faulty, rc.array, rc.array.energy);

  out << "accsim " << ACCSIM_VERSION << " | " << array_title(rc.array) << " | " << model.title << " on " << input.source
      << " | seed " << rc.seed << " | engine " << options.engine << "\n"
      << model.source << "\n";
  print_faults(out, rc);
  out << "\n";
  print_node_table(out, rows);
  out << "total cycles " << runs.faulty.cycles << " (" << std::fixed << std::setprecision(2)
      << runs.faulty.cycles / rc.array.clock_mhz << " us at " << rc.array.clock_mhz << " MHz)" << std::defaultfloat << "\n";
  print_energy_total(out, rows);
  print_predictions(out, input, runs.golden.outputs.at(0), runs.faulty.outputs.at(0));
  print_mitigations(out, rc, runs, graph);
  const auto report = swizzle_report(graph, input.images, rc.array, rc.faults);
  print_swizzle_report(out, report, rows);
  write_results(options, rc, model, input, runs, rows, report);
  out << "results: " << options.out_file << "\n";
  return 0;
}

}  // namespace accsim
