#pragma once
// Runs a graph forward: nodes in topological order, array operators as jobs on one
// engine back to back (a transient's run cycle picks the job it hits), host operators
// on the CPU. Deterministic: the same graph, input and engine give the same bits.
#include <map>
#include <string>
#include <vector>

#include "arch/engine.h"
#include "workloads/models/inference.h"
#include "workloads/models/graph.h"

namespace accsim {

struct GraphRun {
  std::vector<LayerRun> jobs;            // every array job, in run order (when recorded)
  std::map<std::string, Tensor> values;  // every value (when recorded), else the outputs only
  std::vector<Tensor> outputs;           // the graph outputs, in order
  long long cycles = 0;
};

// `input`: the graph's one fp32 data input, shape as the graph says; its int64 inputs, if
// any, must be bound first (int_inputs.h). `record`: keep every
// job and value (reports, error models); otherwise values are freed after their last use.
// `host_threads`: the threads the host operators and the lowering between nodes split over;
// 0, the engine's own thread count (the values do not depend on it).
GraphRun run_graph(const Graph& graph, const Tensor& input, Engine& engine, bool record, int host_threads = 0);

}  // namespace accsim
