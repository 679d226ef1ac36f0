#pragma once
// A complete sweep's outputs: the terminal table in point order, and the HDF5 file, the
// CSV and the plot next to it.
#include <ostream>
#include <vector>

#include "workloads/run/run_config.h"
#include "workloads/sweep/sweep.h"

namespace accsim {

void print_sweep_points(std::ostream& out, const Sweep& sweep, const std::vector<SweepPointResult>& points);

void write_sweep_outputs(const RunConfig& rc, const Sweep& sweep, const SweepOptions& options,
                         const std::vector<SweepPointResult>& points, std::ostream& out, std::ostream& progress);

}  // namespace accsim
