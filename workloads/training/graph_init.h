#pragma once
// Seeded initial parameters for a graph model (`training.init: "seeded"`), like
// PyTorch's default initialisation of each layer: the weight of a Conv or Gemm and its
// bias uniform in +-1/sqrt(fan_in) (nn.Conv2d's and nn.Linear's kaiming_uniform with
// a = sqrt(5)); a parameter a Mul scales by (a LayerNorm's weight) ones; any other
// parameter (a LayerNorm's bias, a positional embedding) zeros.
#include <cstdint>
#include <map>
#include <string>

#include "workloads/models/graph.h"

namespace accsim {

// New values of every trainable parameter of `graph` (trainable_parameters), shaped
// like its initializer; the same seed gives the same bits.
std::map<std::string, Tensor> seeded_parameters(const Graph& graph, std::uint64_t seed);

}  // namespace accsim
