#pragma once
// The labelled test images a campaign on a graph model draws its inputs from:
// Fashion-MNIST test images offset.. when the model's input is [N, 1, 28, 28] and the
// dataset is installed, otherwise seeded synthetic images in [0, 1) labelled with the
// fault-free model's own predictions (so that an SDC is any changed prediction), with a
// note on `notes`.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/tensor.h"
#include "workloads/models/graph.h"

namespace accsim {

struct GraphImagePool {
  Tensor images;            // [limit, ...] the graph input's shape past the batch
  std::vector<int> labels;  // [limit]
  std::string source;       // "Fashion-MNIST test images 0..999" / "1000 synthetic images 0..999 (seed 1)"
};

// `graph`: the model with batch 1 (it labels synthetic images on a healthy array).
GraphImagePool load_graph_image_pool(const Graph& graph, const ArrayConfig& array, const std::string& dataset_dir,
                                     int offset, int limit, std::uint64_t seed, int threads, std::ostream& notes);

}  // namespace accsim
