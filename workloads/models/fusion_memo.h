#pragma once
// plan_fusions (and the values' last uses) once per graph structure: a run that records
// nothing (graph_runner.cpp) reuses what it made for its graph before while everything
// plan_fusions reads of the graph is unchanged, and plans anew otherwise. Graphs are
// mutated between runs (relu clipping, mitigations, pruning, new outputs; parameter
// faults change only initializer values, which no plan reads): the memo keeps a copy of
// what its plan was made of and compares it with the graph before every use, so a stale
// plan is never used.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "workloads/models/graph.h"
#include "workloads/models/graph_fusion.h"

namespace accsim {

// What plan_fusions reads of a graph: each node's op and values (a ReduceMean's axes and
// keepdims too), the graph outputs, the values' shapes and the initializers' shapes.
struct FusionInputs {
  struct NodeValues {
    std::string op;
    std::vector<std::string> inputs, outputs;
    std::vector<long long> reduction;  // reduction_key(): ReduceMean nodes only
  };
  std::vector<NodeValues> nodes;
  std::vector<std::string> outputs;
  std::map<std::string, std::vector<int>> shapes, initializer_shapes;
};

// What a run that records nothing needs of its graph's structure.
struct FusionMemo {
  FusionInputs inputs;
  FusionPlan plan;
  std::map<std::string, std::size_t> last_uses;  // per value, the last node reading it (outputs: none)
};

FusionInputs fusion_inputs(const Graph& graph);
bool same_fusion_inputs(const FusionInputs& inputs, const Graph& graph);

// The graph's memo when still valid, else a new one (stored on the graph;
// concurrent runs of one graph may each plan, never read a half-written memo).
std::shared_ptr<const FusionMemo> fusion_plan(const Graph& graph);

}  // namespace accsim
