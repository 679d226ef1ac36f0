#pragma once
// Per-node summary of a faulty graph run against its fault-free twin: every array
// node's jobs, cycles and MACs, and how much of its output the faults corrupted.
#include <string>
#include <vector>

#include "workloads/models/inference.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

struct NodeReport {
  std::string node, op;
  std::vector<int> output_shape;
  int jobs = 0;
  long long start_cycle = 0, cycles = 0, macs = 0, stall_cycles = 0, weight_load_cycles = 0;
  double utilisation = 0.0;  // macs / (cycles * PEs)
  OutputDiff diff;           // the node's first output, fault-free vs faulty
};

// One row per array node, in graph order. Both runs must have been recorded.
std::vector<NodeReport> array_node_reports(const Graph& graph, const GraphRun& golden, const GraphRun& faulty, int pes);

}  // namespace accsim
