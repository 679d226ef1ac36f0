#include "tools/cli/graph_errmodel_command.h"

#include "tools/cli/errmodel_command.h"

#include "arch/pe_faults.h"
#include "workloads/run/engines.h"
#include "workloads/io/error_model_file.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"
#include "workloads/io/run_attributes.h"
#include "workloads/run/workload_input.h"

namespace accsim {

void print_faults(std::ostream& out, const RunConfig& rc);  // run_command.cpp

int graph_errmodel_command(const RunConfig& rc, const RunOptions& options, std::ostream& out, std::ostream& err) {
  const Graph& graph = *rc.workload.graph;
  const std::uint64_t seed = rc.seed;
  const WorkloadInput input = load_graph_input(rc, seed, graph, err);
  const PeFaults healthy, faulty(rc.array, rc.faults);
  const GraphRun golden = run_graph(graph, input.images, *make_engine(options.engine, rc.array, healthy), true);
  const auto broken = make_engine(options.engine, rc.array, faulty);

  ResultsFile h5(options.out_file);
  write_fault_tables(h5, rc.array, rc.faults);
  std::vector<PassErrorModel> models;
  std::vector<std::string> names, nodes, summaries;
  for (std::size_t i = 0; i < golden.jobs.size(); ++i) {
    const LayerRun& job = golden.jobs[i];
    const std::string base = "/layers/" + hdf5_group_name(job.job.layer);
    names.push_back(hdf5_group_name(job.job.layer));
    nodes.push_back(job.node);
    h5.set_attribute(base, "index", static_cast<std::int64_t>(i));
    h5.set_attribute(base, "node", job.node);
    h5.set_attribute(base, "job", job.job.layer);
    write_job_error_model(h5, base, job, job.weights, rc.array, rc.faults, *broken, models);
  }
  for (const auto& m : models) summaries.push_back(m.summary);
  h5.write_strings("/layer_names", names);
  h5.write_strings("/layer_nodes", nodes);
  h5.write_strings("/summaries", summaries);
  write_errmodel_attributes(h5, rc, seed, options.engine, input.source);
  h5.set_attribute("/", "model", rc.workload.model);
  h5.commit();

  out << "accsim " << ACCSIM_VERSION << " errmodel | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ", swizzle " << to_string(rc.array.swizzle)
      << ") | " << graph.name << " (ONNX, " << golden.jobs.size() << " array jobs) | seed " << seed << "\n";
  print_faults(out, rc);
  out << "\n";
  print_error_model_tail(out, models, options.out_file);
  return 0;
}

}  // namespace accsim
