#pragma once
// One sweep point: its workload's timing on the point's array (a topology's layers on
// seeded operands, any model as a graph), the energy estimate and, with a `campaign`
// block, the point's hardware-fault campaign on one thread.
#include <atomic>
#include <cstdint>
#include <string>

#include "workloads/run/workload_timing.h"
#include "workloads/sweep/sweep.h"

namespace accsim {

// The point's workload timed on its array: a topology's layers (time_workload) or the model
// as a graph on its input batch (time_graph_workload).
WorkloadTiming time_point_workload(const SweepPointConfig& point, const std::string& engine, std::uint64_t seed);

// The point's result and its layers; not `done` when `stop` ended its campaign early.
SweepPointResult run_sweep_point(const SweepPointConfig& point, const std::string& engine, std::uint64_t seed,
                                 const std::atomic<bool>* stop, std::vector<SweepLayerResult>& layers);

}  // namespace accsim
