#pragma once
// The images a run feeds the network: Fashion-MNIST test images when the dataset is
// installed, otherwise a seeded synthetic image (with a note on `notes`).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "arch/tensor.h"
#include "workloads/network.h"
#include "workloads/run_config.h"

namespace accsim {

struct WorkloadInput {
  Tensor images;       // [n, c, h, w]
  std::string source;  // e.g. "Fashion-MNIST test image 0 (label 9)"
  std::vector<int> labels;  // per image; empty for synthetic images
};

WorkloadInput load_workload_input(const RunConfig& rc, std::uint64_t seed, const Network& net, std::ostream& notes);
// The batch a graph model takes: Fashion-MNIST test images image_index.. when its input
// is [N, 1, 28, 28] and the dataset is installed, otherwise seeded synthetic values in
// [0, 1) with a note on `notes`.
WorkloadInput load_graph_input(const RunConfig& rc, std::uint64_t seed, const Graph& graph, std::ostream& notes);

}  // namespace accsim
