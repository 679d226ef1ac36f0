#pragma once
// Load-time evaluation of the shape arithmetic exporters emit (Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape, ConstantOfShape/Equal/Where for Expand, ...), so that
// every shape in the graph is static and only data-carrying operators remain.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "arch/tensor.h"
#include "workloads/models/graph.h"

namespace accsim {

struct ConstantValues {
  std::map<std::string, IntTensor> ints;   // integer and boolean constants
  std::map<std::string, Tensor> floats;    // fp32 constants (Constant nodes, Casts of integers)
  std::map<std::string, std::vector<int>> shapes;  // static shapes known so far (for Shape)
};

struct FoldedOutput {
  std::optional<IntTensor> ints;
  std::optional<Tensor> floats;
};

// The node's outputs when it can be evaluated now from `known`, otherwise nothing.
// Throws std::invalid_argument when a foldable node's constants are malformed.
std::optional<std::vector<FoldedOutput>> fold_node(const Node& node, const ConstantValues& known);

}  // namespace accsim
