#pragma once
// Fault-aware pruning in a campaign's model (a graph; `accsim train` prunes its network
// with fault_aware_pruning.h):
// the weights a faulty PE meets (weight register, input register or multiplier
// stuck-at, in the forward pass, under the array's swizzle) are zeroed in the
// initializers they come from.
//
// Which initializer element each array job holds in each PE weight register is found
// once, by running every array node on its stationary initializer's element indices
// (the lowering, docs/mapping.md: group slices, dilation phases, transposes, batch
// matrices, only moves weights), so Conv (groups, dilation), Gemm (transB either way)
// and MatMul whose operand B is a parameter are pruned exactly as the array runs them.
// An initializer that several nodes share is pruned where any of them meets the PE.
// A job whose stationary operand is an activation (a MatMul between two activations,
// attention's Q.K^T and A.V, or one whose parameter is the streamed operand A) has no
// weight to prune: the fault acts there unmitigated (unprunable_nodes).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "arch/mapping.h"
#include "workloads/models/graph.h"

namespace accsim {

using PruningMasks = std::map<std::string, std::vector<std::uint8_t>>;  // initializer -> flat mask

class GraphPruning {
 public:
  // `graph`'s jobs as `array` runs them (the graph's batch: a MatMul whose B broadcasts
  // over the batch has a job per image). std::invalid_argument for a stationary
  // parameter of more than 2^24 elements (indices are carried as exact floats).
  GraphPruning(const ArrayConfig& array, const Graph& graph);

  // Per parameter initializer with at least one weight `faults` meet: a mask over its
  // elements (row-major) with 1 on those weights. Empty for faults without a footprint
  // (psum, accumulator, transients).
  PruningMasks masks(const std::vector<HardwareFault>& faults) const;

 private:
  struct JobWeights {
    ConvShape shape;
    Mapping mapping;
    std::string initializer;
    std::vector<std::uint32_t> source;  // per stationary element [k, c, r, s]: the initializer element it holds
  };
  void add_node(const ArrayConfig& array, const Graph& graph, const Node& node);

  std::vector<JobWeights> jobs_;
  std::map<std::string, std::size_t> sizes_;  // pruned initializers' element counts
};

// The array nodes whose stationary operand is not a parameter, in graph order.
std::vector<std::string> unprunable_nodes(const Graph& graph);

// Zeroes the masked weights of `graph`'s initializers; returns how many the masks cover.
long long apply_pruning(Graph& graph, const PruningMasks& masks);

}  // namespace accsim
