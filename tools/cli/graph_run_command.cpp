#include "tools/cli/graph_run_command.h"

#include <iomanip>
#include <sstream>

#include "arch/pe_faults.h"
#include "workloads/run/engines.h"
#include "workloads/campaign/shortcut_propagation.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/node_report.h"
#include "workloads/io/output_format.h"
#include "workloads/io/results_file.h"
#include "workloads/io/table.h"
#include "workloads/io/run_attributes.h"
#include "workloads/run/workload_input.h"

namespace accsim {

void print_faults(std::ostream& out, const RunConfig& rc);  // run_command.cpp

namespace {

// The first maximum of each image's logits.
std::vector<int> top1(const Tensor& logits) {
  const int n = logits.dim(0), classes = static_cast<int>(logits.size() / n);
  std::vector<int> best(n);
  for (int i = 0; i < n; ++i) best[i] = argmax_row(logits.data() + static_cast<std::size_t>(i) * classes, classes);
  return best;
}

void print_node_table(std::ostream& out, const std::vector<NodeReport>& rows) {
  out << std::left << std::setw(28) << "node" << std::setw(8) << "op" << std::right << std::setw(18) << "output" << std::setw(6)
      << "jobs" << std::setw(11) << "cycles" << std::setw(11) << "MACs" << std::setw(7) << "util%" << std::setw(16)
      << "corrupted" << std::setw(8) << "nan/inf" << std::setw(13) << "max |error|" << "\n";
  for (const NodeReport& r : rows) {
    std::ostringstream corrupted;
    long long total = 1;
    for (int d : r.output_shape) total *= d;
    corrupted << r.diff.corrupted << "/" << total;
    const std::string name = r.node.size() > 27 ? "..." + r.node.substr(r.node.size() - 24) : r.node;
    out << std::left << std::setw(28) << name << std::setw(8) << r.op << std::right << std::setw(18)
        << Tensor(r.output_shape).shape_string() << std::setw(6) << r.jobs << std::setw(11) << r.cycles << std::setw(11)
        << r.macs << std::setw(7) << std::fixed << std::setprecision(1) << 100.0 * r.utilisation << std::setw(16)
        << corrupted.str() << std::setw(8) << r.diff.non_finite << std::setw(13) << std::scientific << std::setprecision(3)
        << r.diff.max_abs_error << std::defaultfloat << "\n";
  }
}

void print_predictions(std::ostream& out, const WorkloadInput& input, const Tensor& golden, const Tensor& faulty) {
  if (golden.rank() != 2) return;  // not a classifier's logits
  const std::vector<int> g = top1(golden), f = top1(faulty);
  const std::size_t shown = std::min<std::size_t>(g.size(), 8);
  for (std::size_t i = 0; i < shown; ++i) {
    out << "image " << i;
    if (!input.labels.empty()) out << " (label " << input.labels[i] << ")";
    out << ": predicted fault-free " << g[i] << ", faulty " << f[i] << "\n";
  }
  if (g.size() > shown) out << "(" << g.size() - shown << " more images in the results file)\n";
  if (input.labels.empty() || g.size() < 2) return;
  int correct_g = 0, correct_f = 0;
  for (std::size_t i = 0; i < g.size(); ++i) correct_g += g[i] == input.labels[i], correct_f += f[i] == input.labels[i];
  out << "accuracy fault-free " << correct_g << "/" << g.size() << ", faulty " << correct_f << "/" << g.size() << "\n";
}

Table node_table(const std::vector<NodeReport>& rows) {
  Table t({{"op", CellType::text, ""},
           {"jobs", CellType::integer, ""},
           {"start_cycle", CellType::integer, "cycles"},
           {"cycles", CellType::integer, "cycles"},
           {"macs", CellType::integer, ""},
           {"stall_cycles", CellType::integer, "cycles"},
           {"weight_load_cycles", CellType::integer, "cycles"},
           {"utilisation", CellType::real, "fraction"},
           {"corrupted_outputs", CellType::integer, ""},
           {"nonfinite_outputs", CellType::integer, ""},
           {"max_abs_error", CellType::real, ""}});
  for (const NodeReport& r : rows)
    t.add_row({r.op, r.jobs, r.start_cycle, r.cycles, r.macs, r.stall_cycles, r.weight_load_cycles, r.utilisation,
               r.diff.corrupted, r.diff.non_finite, r.diff.max_abs_error});
  return t;
}

void write_results(const RunOptions& options, const RunConfig& rc, std::uint64_t seed, const WorkloadInput& input,
                   const GraphRun& golden, const GraphRun& faulty, const std::vector<NodeReport>& rows) {
  ResultsFile h5(options.out_file);
  write_output_format(h5, kGraphRunOutput);
  write_run_attributes(h5, rc, seed, options.engine);
  h5.set_attribute("/", "input_source", input.source);
  h5.set_attribute("/", "model", rc.workload.model);
  std::vector<std::string> fault_text;
  for (const auto& f : rc.faults) fault_text.push_back(describe(f));
  h5.write_strings("/faults", fault_text);
  h5.write_tensor("/input", input.images);
  h5.write_tensor("/golden/output", golden.outputs.at(0));
  h5.write_tensor("/faulty/output", faulty.outputs.at(0));
  std::vector<std::string> names;
  for (const NodeReport& r : rows) {
    const std::string& value = rc.workload.graph->node_output(r.node);
    names.push_back(r.node);
    h5.write_tensor("/layers/" + hdf5_group_name(r.node) + "/golden_output", golden.values.at(value));
    h5.write_tensor("/layers/" + hdf5_group_name(r.node) + "/faulty_output", faulty.values.at(value));
  }
  h5.write_strings("/layer_names", names);
  h5.write_table("/summary", node_table(rows));
  h5.commit();
}

}  // namespace

int graph_run_command(const RunConfig& rc, const RunOptions& options, std::ostream& out, std::ostream& err) {
  const Graph& graph = *rc.workload.graph;
  const std::uint64_t seed = rc.seed;
  const WorkloadInput input = load_graph_input(rc, seed, graph, err);
  const PeFaults healthy;
  const PeFaults faulty_pes(rc.array, rc.faults);
  const GraphRun golden = run_graph(graph, input.images, *make_engine(options.engine, rc.array, healthy), true);
  const GraphRun faulty = run_graph(graph, input.images, *make_engine(options.engine, rc.array, faulty_pes), true);
  const std::vector<NodeReport> rows = array_node_reports(graph, golden, faulty, rc.array.pes());

  out << "accsim " << ACCSIM_VERSION << " | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ", swizzle " << to_string(rc.array.swizzle)
      << ") | " << graph.name << " (ONNX, " << graph.nodes.size() << " nodes, " << rows.size() << " on the array) on "
      << input.source << " | seed " << seed << " | engine " << options.engine << "\n";
  print_faults(out, rc);
  out << "\n";
  print_node_table(out, rows);
  out << "total cycles " << faulty.cycles << " (" << std::fixed << std::setprecision(2)
      << faulty.cycles / rc.array.clock_mhz << " us at " << rc.array.clock_mhz << " MHz)" << std::defaultfloat << "\n";
  print_predictions(out, input, golden.outputs.at(0), faulty.outputs.at(0));
  write_results(options, rc, seed, input, golden, faulty, rows);
  out << "results: " << options.out_file << "\n";
  return 0;
}

}  // namespace accsim
