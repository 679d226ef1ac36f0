#pragma once
// `accsim dlrm`: the PyTEI dummy-model study on the DLRM-style model
// (workloads/dlrm/dlrm_study.h): RMSE between fault-free and faulty outputs per input
// sparsity, parameter fault model and target; table on stdout, HDF5 + CSV (+ PNG).
#include <ostream>

#include "tools/cli/run_command.h"

namespace accsim {

int dlrm_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
