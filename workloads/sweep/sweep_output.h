#pragma once
// A complete sweep's outputs: the terminal table in point order, and the HDF5 file, the
// CSV and the plot next to it.
#include <ostream>
#include <string>
#include <vector>

#include "workloads/sweep/sweep.h"

namespace accsim {

// The per-layer CSV beside `out_file`: <out stem>_layers.csv.
std::string sweep_layers_csv_path(const std::string& out_file);

void print_sweep_points(std::ostream& out, const Sweep& sweep, const std::vector<SweepPointResult>& points);

// The points and, per point, its layers (`/layers` and `<out>_layers.csv`).
void write_sweep_outputs(const Sweep& sweep, const SweepOptions& options, const SweepResult& result,
                         std::ostream& out, std::ostream& progress);

}  // namespace accsim
