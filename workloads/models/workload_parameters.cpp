#include "workloads/models/workload_parameters.h"

#include "arch/input_error.h"
#include "workloads/models/model_file.h"

namespace accsim {

WorkloadParameters load_network_parameters(const std::string& config_file, const std::string& key,
                                           const std::string& file, const Network& net, std::uint64_t seed) {
  if (file.empty()) return {init_parameters(net, seed), "seeded Kaiming-uniform parameters (seed " + std::to_string(seed) + ")"};
  try {
    return {read_parameters(file, net), "parameters from " + file};
  } catch (const InputError& e) {
    throw InputError(config_file + ": " + key + ": " + e.what());
  }
}

WorkloadParameters load_workload_parameters(const WorkloadConfig& workload, const std::string& config_file,
                                            std::uint64_t seed) {
  return load_network_parameters(config_file, "workload.parameters", workload.parameters, workload.network, seed);
}

}  // namespace accsim
