#pragma once
// The experiment config of `accsim --config FILE`: the array, the workload, the
// hardware faults, the seed and (for `accsim campaign`) the fault campaign. Every key
// is documented in docs/config.md.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "workloads/campaign_config.h"
#include "workloads/fashion_mnist.h"
#include "workloads/network.h"

namespace accsim {

struct WorkloadConfig {
  Network network = lenet5();
  int image_index = 0;                        // Fashion-MNIST test image
  std::string dataset_dir = kFashionMnistDir;
};

struct RunConfig {
  std::string file;
  ArrayConfig array;
  WorkloadConfig workload;
  std::vector<HardwareFault> faults;
  std::uint64_t seed = 1;
  std::optional<CampaignConfig> campaign;  // `accsim campaign` needs it; other commands ignore it
  std::string json_text;  // the config as read, stored with the results
};

// Throws InputError naming the file and the JSON path of the first bad key.
RunConfig parse_run_config(const std::string& file);

}  // namespace accsim
