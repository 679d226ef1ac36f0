#include "tools/cli/errmodel_command.h"

#include "arch/pe_faults.h"
#include "tools/cli/config_overrides.h"
#include "tools/cli/run_command.h"
#include "tools/cli/run_tables.h"
#include "workloads/io/error_model_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/models/graph_runner.h"
#include "workloads/run/engines.h"
#include "workloads/run/workload_model.h"

namespace accsim {

namespace {

void write_attributes(ResultsFile& h5, const RunConfig& rc, const std::string& engine, const WorkloadModel& model,
                      const std::string& input_source) {
  write_run_attributes(h5, rc.file, rc.json_text, rc.seed, engine);
  h5.set_attribute("/", "input_source", input_source);
  h5.set_attribute("/", "model", model.model);
  h5.set_attribute("/", "model_source", model.source);
  h5.set_attribute("/", "swizzle", to_string(rc.array.swizzle));
  h5.set_attribute("/", "atomic_c", rc.array.atomic_c);
  h5.set_attribute("/", "atomic_k", rc.array.atomic_k);
  h5.set_attribute("/", "stripe_length", rc.array.stripe_length);
  h5.set_attribute("/", "datatype", to_string(rc.array.datatype));
}

// Every job of the fault-free run, its error model per pass and its sample.
std::vector<PassErrorModel> write_jobs(ResultsFile& h5, const RunConfig& rc, const GraphRun& golden, Engine& broken) {
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
    write_job_error_model(h5, base, job, job.weights, rc.array, rc.faults, broken, models);
  }
  for (const auto& m : models) summaries.push_back(m.summary);
  h5.write_strings("/layer_names", names);
  h5.write_strings("/layer_nodes", nodes);
  h5.write_strings("/summaries", summaries);
  return models;
}

}  // namespace

int errmodel_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  const WorkloadModel model = load_workload_model(rc.workload, rc.mitigations.clip, rc.file, rc.seed);
  const WorkloadInput input = load_model_input(rc.workload, rc.file, rc.seed, model, err);
  const PeFaults healthy, faulty(rc.array, rc.faults);
  const GraphRun golden = run_graph(*model.graph, input.images, *make_engine(options.engine, rc.array, healthy), true);
  const auto broken = make_engine(options.engine, rc.array, faulty);

  ResultsFile h5(options.out_file);
  write_fault_tables(h5, rc.array, rc.faults);
  const std::vector<PassErrorModel> models = write_jobs(h5, rc, golden, *broken);
  write_attributes(h5, rc, options.engine, model, input.source);
  h5.commit();

  out << "accsim " << ACCSIM_VERSION << " errmodel | " << array_title(rc.array) << " | " << model.title << " ("
      << golden.jobs.size() << " array jobs) | seed " << rc.seed << "\n"
      << model.source << "\n";
  print_faults(out, rc);
  out << "\n";
  for (const auto& m : models) out << m.summary << "\n";
  out << "\nerror model: " << options.out_file << " (format " << kErrorModelFormat << " version " << kErrorModelVersion
      << ")\n";
  return 0;
}

}  // namespace accsim
