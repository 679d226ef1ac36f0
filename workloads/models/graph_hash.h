#pragma once
// A graph model's part of a resume key (workloads/experiments/key_hasher.h): everything a run's
// results depend on, namely the inputs and outputs with their shapes, every node (op,
// inputs, outputs, attributes), every initializer's bits and the folded integer constants.
#include "workloads/experiments/key_hasher.h"
#include "workloads/models/graph.h"

namespace accsim {

void hash_graph(KeyHasher& hasher, const Graph& graph);

}  // namespace accsim
