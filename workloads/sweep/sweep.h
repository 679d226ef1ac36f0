#pragma once
// `accsim sweep`: one workload over a grid of array and fault parameters. The config's
// `sweep` block lists values for any key of the config by its JSON path:
//   "sweep": {"grid": {"array.atomic_c": [8, 16, 32, 64], "array.swizzle": ["none", "rotate"]}}
// (the cartesian product, keys in alphabetical order, the last varying fastest) or an
// explicit list: "points": [{"array.atomic_c": 8, "array.atomic_k": 8}, ...]. Each point
// is the base config with those values substituted, validated like any config before
// anything runs. Points run on `threads` threads (0: the CPUs this process may use),
// finished points are checkpointed (run_checkpoint.h), a rerun resumes without redoing
// them, and results do not depend on the thread count.
#include <atomic>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "workloads/experiments/progress_meter.h"
#include "workloads/run/workload_timing.h"
#include "workloads/sweep/sweep_layers.h"
#include "workloads/sweep/sweep_point_config.h"

namespace accsim {

struct RunConfig;

struct SweepPoint {
  std::vector<std::string> values;  // the point's value of each swept key, as JSON text
  SweepPointConfig config;          // what the point runs, from its validated config
};

struct Sweep {
  std::string file;       // the base config: named in the outputs
  std::string json_text;  // the base config as read: in the resume key and the outputs
  std::vector<std::string> keys;  // JSON paths, e.g. "array.atomic_c", "faults[0].bit"
  std::vector<SweepPoint> points;
  int threads = 0;
  bool has_campaign() const;  // the config has a `campaign` block: every point runs it
};

// Reads `rc.sweep` against the config's JSON; InputError naming the file, the key path
// and, for a bad point, the point and its values.
Sweep parse_sweep(const RunConfig& rc);

struct SweepPointResult {
  bool done = false;
  long long cycles = 0, analytical_cycles = 0, macs = 0, stall_cycles = 0, weight_load_cycles = 0;
  long long corrupted_outputs = 0, nonfinite_outputs = 0;
  double utilisation = 0.0;
  long long pes = 0;
  // The memory side (array.memory; 0 without it).
  long long data_fetch_stall_cycles = 0, dram_stall_cycles = 0, postprocess_cycles = 0;
  long long dram_read_bytes = 0, dram_write_bytes = 0;
  double energy_pj = 0.0;  // the estimate of docs/cycle_model.md "Energy" (array.energy's table)
  // With a `campaign` block: the point's hardware-fault campaign (one thread per point);
  // without one these stay 0 and no output has their columns.
  long long experiments = 0;
  double sdc_rate = 0.0, sdc_lo = 0.0, sdc_hi = 0.0, crash_rate = 0.0, crash_lo = 0.0, crash_hi = 0.0;
};

struct SweepOptions {
  std::string engine = "fast";
  std::string out_file;  // HDF5; the CSV, PNG and checkpoint sit next to it
  std::uint64_t seed = 1;
  bool plot = true;
  int stop_after_points = 0;  // > 0: stop after this many points of this call (tests kill a run so)
  // Set (by a signal): no new point starts, a point's campaign stops, finished points are
  // checkpointed and run_sweep returns incomplete.
  const std::atomic<bool>* stop = nullptr;
  ProgressStyle progress = ProgressStyle::none;
};

struct SweepResult {
  std::vector<SweepPointResult> points;
  std::vector<std::vector<SweepLayerResult>> layers;  // per point: its layers (sweep_layers.h)
  int resumed_points = 0;  // loaded from a checkpoint
  bool complete = false;
};

SweepResult run_sweep(const Sweep& sweep, const SweepOptions& options, std::ostream& out, std::ostream& progress);

}  // namespace accsim
