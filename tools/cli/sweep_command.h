#pragma once
// `accsim sweep`: the config's workload over the grid of its `sweep` block
// (workloads/sweep/sweep.h); terminal table, HDF5, CSV and PNG.
#include <ostream>

#include "tools/cli/run_command.h"

namespace accsim {

int sweep_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
