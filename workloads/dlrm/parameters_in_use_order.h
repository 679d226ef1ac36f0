#pragma once
// A graph's parameters (initializers that are not constants) as a ParameterSet in the
// order the nodes first read them, not by name: a fault target lays its tensors end to end
// in set order, so the order decides which element a seeded draw hits. For the DLRM graph
// (dlrm_graph.h) it is bottom MLP, tables, top MLP, as the model's own code listed them.
#include "faultmodels/parameter_set.h"
#include "workloads/models/graph.h"

namespace accsim {

// Views into `graph`'s initializers: the graph must outlive the set and keep its tensors.
ParameterSet parameters_in_use_order(Graph& graph);

}  // namespace accsim
