#pragma once
// A sweep point's layers: per topology layer or graph node (its array jobs summed), the
// cycles, stalls and traffic, so that a sweep shows where each layer turns compute-bound
// (docs/sweeps.md). The same member table writes them to HDF5 and CSV, reads them back
// from a checkpoint and sends them between ranks.
#include <string>
#include <vector>

#include "workloads/experiments/result_codec.h"
#include "workloads/io/results_file.h"
#include "workloads/io/table.h"
#include "workloads/run/workload_timing.h"

namespace accsim {

struct SweepLayerResult {
  std::string name;  // the topology layer or graph node
  long long jobs = 0, cycles = 0, macs = 0, stall_cycles = 0, weight_load_cycles = 0, data_fetch_stall_cycles = 0;
  long long dram_stall_cycles = 0, postprocess_cycles = 0, dram_read_bytes = 0, dram_write_bytes = 0;
};

// The layers of a timed workload in run order; consecutive jobs of one node are one layer.
std::vector<SweepLayerResult> sweep_layers(const WorkloadTiming& w);

// Rows (point, layer index, name, the counts) of every point's layers; `values` (one
// list per point, may be empty) adds the point's swept values after `point`.
Table layers_table(const std::vector<std::vector<SweepLayerResult>>& layers, const std::vector<std::string>& keys,
                   const std::vector<std::vector<std::string>>& values);

// A checkpoint's numeric copy: `group` (a table without names) and `group`_names.
void write_layers(ResultsFile& h5, const std::string& group, const std::vector<std::vector<SweepLayerResult>>& layers);
// Back into `layers` (one list per point, sized to the sweep); InputError for a damaged file.
void read_layers(const std::string& file, const std::string& group, std::vector<std::vector<SweepLayerResult>>& layers);

void encode_layers(const std::vector<SweepLayerResult>& layers, ByteWriter& w);
std::vector<SweepLayerResult> decode_layers(ByteReader& r);

}  // namespace accsim
