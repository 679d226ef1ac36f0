#pragma once
// The parameters a workload's network runs with: the parameter file of
// `workload.parameters` (a trained model), or seeded Kaiming-uniform ones without it.
#include <cstdint>
#include <string>

#include "workloads/models/network.h"
#include "workloads/run/workload_config.h"

namespace accsim {

struct WorkloadParameters {
  NetworkParameters params;
  std::string source;  // "parameters from FILE" / "seeded Kaiming-uniform parameters (seed N)"
};

// `file` ("" = seeded with `seed`) for `net`; a file that does not hold `net`'s
// parameters is an InputError naming `config_file` and `key`.
WorkloadParameters load_network_parameters(const std::string& config_file, const std::string& key,
                                           const std::string& file, const Network& net, std::uint64_t seed);

// The same for workload.parameters and the workload's network.
WorkloadParameters load_workload_parameters(const WorkloadConfig& workload, const std::string& config_file,
                                            std::uint64_t seed);

}  // namespace accsim
