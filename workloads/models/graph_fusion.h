#pragma once
// Which nodes a graph run that records nothing computes together (graph_runner.cpp):
// - a Conv and the Relu that alone reads its output: bias and ReLU in one sweep over the
//   conv's output (add_bias_relu), the Relu then hands its input on as its output;
// - the row-local chains of a pattern table, the exported LayerNorm (ReduceMean, Sub, Pow,
//   ReduceMean, Add, Sqrt, Div, Mul, Add) and exact GELU (Div, Erf, Add, Mul, Mul): one
//   pass (row_chain.h) instead of a pass and a tensor per node.
// A fused value inside a group is read by its group only and is no graph output, so no one
// misses it; per element the same operations run, so every output keeps its bits. A
// recording run (reports, reruns, error models) fuses nothing: every node keeps its value.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "workloads/models/graph.h"
#include "workloads/models/row_chain.h"

namespace accsim {

struct NodeFusion {
  enum class Role : std::uint8_t {
    alone,           // run as it is
    conv_with_relu,  // a Conv that applies its Relu (partner: the Relu's node index)
    relu_of_conv,    // that Relu: its input is already its output
    chain_head,      // the first node of a row chain: runs the chain (partner: its index)
    in_chain,        // a later node of a row chain: nothing to run
  };
  Role role = Role::alone;
  std::size_t partner = 0;
};

struct FusedChain {
  RowChain chain;
  std::size_t last_node = 0;      // the chain's last node
  bool input_consumable = false;  // x is no graph output and only the chain reads it
};

struct FusionPlan {
  std::vector<NodeFusion> nodes;  // one per graph node
  std::vector<FusedChain> chains;
};

FusionPlan plan_fusions(const Graph& graph);

}  // namespace accsim
