#pragma once
// Seeded initial parameters for a graph model. `training.init: "seeded"` is PyTorch's
// default initialisation of each layer: the weight of a Conv or Gemm and its bias
// uniform in +-1/sqrt(fan_in) (nn.Conv2d's and nn.Linear's kaiming_uniform with
// a = sqrt(5), variance 1/(3 fan_in)). `"kaiming"` is He et al.'s variance-preserving
// scheme for ReLU networks ("Delving Deep into Rectifiers"), for models without
// BatchNorm: the weight uniform in +-sqrt(6/fan_in) (kaiming_uniform_ with the ReLU
// gain, mode fan_in: variance 2/fan_in), the bias 0. Either way a parameter a Mul
// scales by (a LayerNorm's weight) is ones and any other parameter (a LayerNorm's bias,
// a positional embedding) zeros.
#include <cstdint>
#include <map>
#include <string>

#include "workloads/models/graph.h"

namespace accsim {

// Whether `init` (a training.init value) names a seeded scheme ("seeded", "kaiming").
bool is_seeded_init(const std::string& init);

// New values of every trainable parameter of `graph` (trainable_parameters), shaped
// like its initializer, drawn by the seeded scheme `init`; the same seed gives the same
// bits.
std::map<std::string, Tensor> seeded_parameters(const Graph& graph, std::uint64_t seed,
                                                const std::string& init = "seeded");

}  // namespace accsim
