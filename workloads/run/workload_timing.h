#pragma once
// The performance view of a workload on an array: per layer job, the cycle model's
// timing (fast engine: the closed form proven equal to the SystemC model), the
// independent analytical estimate next to it, and, when faults are configured, how
// many output elements each layer gets wrong. Used by the plain run of a SCALE-Sim
// topology and by every sweep point (a model's: workloads/sweep/graph_point_timing.h).
#include <cstdint>
#include <string>
#include <vector>

#include "arch/analytical_cycles.h"
#include "arch/array_config.h"
#include "arch/energy_table.h"
#include "arch/hardware_fault.h"
#include "arch/job_timing.h"
#include "workloads/models/inference.h"
#include "workloads/run/workload_config.h"

namespace accsim {

struct LayerTiming {
  ConvJob job;
  std::string node;  // the graph node that ran the job; a topology layer's name
  JobTiming timing;
  AnalyticalCycles analytical;
  OutputDiff diff;        // faulty vs fault-free output of the layer (zero without faults)
  bool ran_data = false;  // operands went through the engine (faults configured or cycle engine)
};

struct WorkloadTiming {
  std::vector<LayerTiming> layers;
  long long cycles = 0, macs = 0, stall_cycles = 0, weight_load_cycles = 0, analytical_cycles = 0;
  // The memory side (array.memory; 0 without it): docs/cycle_model.md, "Memory side".
  long long data_fetch_stall_cycles = 0, dram_stall_cycles = 0, postprocess_cycles = 0;
  long long dram_read_bytes = 0, dram_write_bytes = 0;
  EnergyCounts energy_counts;  // what the energy estimate multiplies (docs/cycle_model.md, "Energy")
  long long corrupted_outputs = 0, nonfinite_outputs = 0;
  double utilisation = 0.0;  // macs / (cycles * PEs)

  // Appends a layer: its analytical estimate, and its cycles, MACs, stalls, traffic and
  // corrupted outputs added to the totals.
  void add_layer(LayerTiming l, const ArrayConfig& array);
};

// Topology layers (workload.topology must be set) run back to back with seeded uniform
// [-1, 1) operands. Without faults, the fast engine needs no data: timing comes from the
// closed form.
WorkloadTiming time_workload(const ArrayConfig& array, const std::vector<HardwareFault>& faults,
                             const WorkloadConfig& workload, const std::string& engine, std::uint64_t seed);

}  // namespace accsim
