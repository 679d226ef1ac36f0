#include "tools/cli/errmodel_command.h"

#include "tools/cli/graph_errmodel_command.h"

#include "arch/pe_faults.h"
#include "tools/cli/config_overrides.h"
#include "workloads/run/engines.h"
#include "workloads/io/error_model_file.h"
#include "workloads/io/run_attributes.h"
#include "workloads/run/run_config.h"
#include "workloads/run/workload_input.h"
#include "workloads/models/workload_parameters.h"

namespace accsim {

void print_error_model_tail(std::ostream& out, const std::vector<PassErrorModel>& models, const std::string& file) {
  for (const auto& m : models) out << m.summary << "\n";
  out << "\nerror model: " << file << " (format " << kErrorModelFormat << " version " << kErrorModelVersion << ")\n";
}

void write_errmodel_attributes(ResultsFile& h5, const RunConfig& rc, std::uint64_t seed, const std::string& engine,
                               const std::string& input_source) {
  write_run_attributes(h5, rc, seed, engine);
  h5.set_attribute("/", "input_source", input_source);
  h5.set_attribute("/", "swizzle", to_string(rc.array.swizzle));
  h5.set_attribute("/", "atomic_c", rc.array.atomic_c);
  h5.set_attribute("/", "atomic_k", rc.array.atomic_k);
  h5.set_attribute("/", "stripe_length", rc.array.stripe_length);
  h5.set_attribute("/", "datatype", to_string(rc.array.datatype));
}

int errmodel_command(const RunOptions& options, std::ostream& out, std::ostream& err) {
  const RunConfig rc = load_run_config(options);
  if (rc.workload.graph) return graph_errmodel_command(rc, options, out, err);
  const std::uint64_t seed = rc.seed;
  const Network& net = rc.workload.network;
  const WorkloadParameters parameters = load_workload_parameters(rc, seed);
  const NetworkParameters& params = parameters.params;
  const WorkloadInput input = load_workload_input(rc, seed, net, err);
  const PeFaults healthy, faulty(rc.array, rc.faults);
  const auto clean = make_engine(options.engine, rc.array, healthy);
  const auto broken = make_engine(options.engine, rc.array, faulty);

  ResultsFile h5(options.out_file);
  const auto models = write_error_model(h5, net, params, input.images, rc.array, rc.faults, *clean, *broken);
  write_errmodel_attributes(h5, rc, seed, options.engine, input.source);
  h5.set_attribute("/", "network", net.name);
  h5.set_attribute("/", "model_source", parameters.source);
  h5.commit();

  out << "accsim " << ACCSIM_VERSION << " errmodel | array " << rc.array.name << " (" << rc.array.atomic_c << "x"
      << rc.array.atomic_k << ", " << to_string(rc.array.datatype) << ", swizzle " << to_string(rc.array.swizzle)
      << ") | " << net.name << " | seed " << seed << "\n"
      << parameters.source << "\n";
  print_faults(out, rc);
  out << "\n";
  print_error_model_tail(out, models, options.out_file);
  return 0;
}

}  // namespace accsim
