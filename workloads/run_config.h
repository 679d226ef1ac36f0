#pragma once
// The experiment config of `accsim --config FILE`: the array, the workload, the
// hardware faults and the seed. Every key is documented in docs/config.md.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "workloads/fashion_mnist.h"
#include "workloads/network.h"
#include "workloads/training_config.h"

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
  TrainingConfig training;  // the `training` block (defaults when absent)
  std::uint64_t seed = 1;
  std::string json_text;  // the config as read, stored with the results
};

// Throws InputError naming the file and the JSON path of the first bad key.
RunConfig parse_run_config(const std::string& file);

}  // namespace accsim
