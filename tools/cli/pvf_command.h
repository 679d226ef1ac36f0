#pragma once
// `accsim pvf`: a parameter vulnerability factor campaign (docs/pvf.md): PVF = D / N per
// target and per bit position with 95% intervals, each mitigation measured on the same
// experiments; tables on stdout, HDF5 + CSV + PNG; resumable after a kill.
#include <ostream>

#include "tools/cli/run_command.h"

namespace accsim {

// Progress goes to `err` only when it is the process's std::cerr. SIGINT/SIGTERM stop
// the run after a checkpoint (exit code 128 + signal); rerunning the command resumes it.
int pvf_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
