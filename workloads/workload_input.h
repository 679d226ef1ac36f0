#pragma once
// The images a run feeds the network: Fashion-MNIST test images when the dataset is
// installed, otherwise a seeded synthetic image (with a note on `notes`).
#include <cstdint>
#include <ostream>
#include <string>

#include "arch/tensor.h"
#include "workloads/network.h"
#include "workloads/run_config.h"

namespace accsim {

struct WorkloadInput {
  Tensor images;       // [n, c, h, w]
  std::string source;  // e.g. "Fashion-MNIST test image 0 (label 9)"
};

WorkloadInput load_workload_input(const RunConfig& rc, std::uint64_t seed, const Network& net, std::ostream& notes);

}  // namespace accsim
