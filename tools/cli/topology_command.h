#pragma once
// The plain run of a SCALE-Sim topology workload (`workload.topology`): per layer
// timing next to the analytical estimate, fault effects, HDF5 results and SCALE-Sim's
// COMPUTE_REPORT.csv in SCALE-Sim's run-folder layout (<out dir>/<out stem>/COMPUTE_REPORT.csv).
#include <ostream>

#include "tools/cli/run_command.h"
#include "workloads/run/run_config.h"

namespace accsim {

int topology_command(const RunConfig& rc, const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
