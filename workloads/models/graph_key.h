#pragma once
// A graph model in a campaign's resume key (workloads/key_hasher.h): everything its
// results depend on (inputs, outputs, nodes with their attributes, every initializer's
// values, folded constants, shapes), so that a checkpoint of another model is refused.
#include "workloads/key_hasher.h"
#include "workloads/models/graph.h"

namespace accsim {

void hash_graph(KeyHasher& h, const Graph& graph);

}  // namespace accsim
