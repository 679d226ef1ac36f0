#pragma once
// Re-runs a graph against its recorded fault-free run, recomputing only what a fault can
// change: a node recomputes when one of its inputs differs from the fault-free run (a
// corrupted parameter, or an upstream value that came out different), or when it is an
// array node whose jobs the engine's faults may touch; a recomputed value that comes out
// bit-identical to the fault-free one stops propagating. Results are bit-identical to a
// full run of the graph on the same engine (tested).
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "arch/engine.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/record_index.h"

namespace accsim {

struct OperatorDef;  // operators.h
class PlaneRerunEngine;  // plane_rerun_engine.h

struct RerunScope {
  // Initializers whose values in `graph` differ from the fault-free run's.
  std::set<std::string> changed_initializers;
  // True when the engine's faults may act on the node's jobs (array nodes only are asked).
  std::function<bool(const Node&)> engine_touches = [](const Node&) { return false; };
  // node_start_cycles(graph, golden), kept by a caller that reruns one recording many
  // times (campaign and PVF experiments); null: computed per rerun.
  const std::vector<long long>* node_starts = nullptr;
  // node_operators(graph), kept likewise (find_operator per node cost about as much as the
  // rest of the walk); null: looked up per rerun.
  const std::vector<const OperatorDef*>* operators = nullptr;
  // The recorded run's values by number (record_index.h), kept likewise; null: looked up
  // in its map.
  const RecordIndex* recorded = nullptr;
  // The first node that may recompute: the nodes before it read no changed initializer and
  // the engine's faults touch none of them (first_reader; a PVF experiment's corrupted
  // parameter is read far into the graph, and checking each node before it cost about 1.5 k
  // instructions an experiment in string lookups). 0: every node is checked.
  std::size_t first_node = 0;
  // The rerun's engine when it is a PlaneRerunEngine: told before each array node which of
  // its operands' inputs are unchanged (PlaneRerunEngine::expect). Null: not told.
  PlaneRerunEngine* planes = nullptr;
  // Leave the values computed on their changed planes alone as Rerun::patches (a caller
  // that reads those planes only), instead of copying each into the record's value.
  bool keep_patches = false;
};

struct Rerun {
  std::map<std::string, Tensor> changed;  // values that differ from the fault-free run
  // Per differing value of rank >= 3 (changed_planes.h): the planes that differ from the
  // fault-free run's; its other planes equal them.
  std::map<std::string, std::vector<std::size_t>> planes;
  // With RerunScope::keep_patches: the values a plane-local node computed on those planes
  // alone and nothing read whole, as the planes stacked (changed_planes.h); not in
  // `changed`. Without it, empty (every such value is put together in `changed`).
  std::map<std::string, Tensor> patches;
  std::vector<Tensor> outputs;            // the graph outputs
  int recomputed_nodes = 0;
};

// `golden` must be a recorded run (run_graph(..., record = true)) of the same graph shape
// and input. Array jobs start at the cycles they started at in `golden`.
Rerun rerun_graph(const Graph& graph, const GraphRun& golden, Engine& engine, const RerunScope& scope);

// The same through nodes [0, end) only: `changed` holds what differs after them; no
// outputs (a PVF worker runs the fault-free rest of several experiments as one batch,
// workloads/pvf/stacked_remainder.h).
Rerun rerun_nodes(const Graph& graph, const GraphRun& golden, Engine& engine, const RerunScope& scope, std::size_t end);

// The first node of `graph` that reads one of `values`; graph.nodes.size() when none does.
std::size_t first_reader(const Graph& graph, const std::set<std::string>& values);

// Per node of `graph`: the run cycle its first job started at in the recorded `run`
// (0 for nodes without jobs), where a rerun starts the node.
std::vector<long long> node_start_cycles(const Graph& graph, const GraphRun& run);

// Per node of `graph`: its operator's implementation (find_operator), nullptr when none.
std::vector<const OperatorDef*> node_operators(const Graph& graph);

// The run cycles [first, last) each array node's jobs occupied in a recorded run.
std::map<std::string, std::pair<long long, long long>> node_cycle_windows(const GraphRun& run);

}  // namespace accsim
