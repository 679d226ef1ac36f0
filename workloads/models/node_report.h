#pragma once
// Per-node summary of a faulty graph run against its fault-free twin: every array
// node's jobs, cycles and MACs, whether its jobs' data fit the convolution buffer, and
// how much of its output the faults corrupted.
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/energy_table.h"
#include "workloads/models/inference.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

struct NodeReport {
  std::string node, op;
  std::vector<int> output_shape;
  int jobs = 0;
  ConvShape first_job;  // the shape of the node's first job
  long long start_cycle = 0, cycles = 0, macs = 0, stall_cycles = 0, weight_load_cycles = 0;
  // The memory side (array.memory; 0 without it), summed over the node's jobs.
  long long data_fetch_stall_cycles = 0, dram_stall_cycles = 0, postprocess_cycles = 0;
  long long dram_read_bytes = 0, dram_write_bytes = 0;
  EnergyCounts energy_counts;  // MACs, CBUF and DRAM bytes, summed over the jobs
  EnergyEstimate energy;       // energy_counts times the run's energy table
  double utilisation = 0.0;  // macs / (cycles * PEs)
  bool fits_cbuf = true;     // every job's input and weights fit the convolution buffer at once
  OutputDiff diff;           // the node's first output, fault-free vs faulty
};

// Does a job's input and weight data fit the convolution buffer at once? (NVDLA
// otherwise splits the layer and refetches; accsim reports it, the timing assumes it fits.)
bool fits_cbuf(const ConvShape& s, const ArrayConfig& array);

// One row per array node, in graph order. Both runs must have been recorded.
std::vector<NodeReport> array_node_reports(const Graph& graph, const GraphRun& golden, const GraphRun& faulty,
                                           const ArrayConfig& array, const EnergyTable& energy = EnergyTable{});

}  // namespace accsim
