#pragma once
// `accsim train`: training on the simulated array under the config's faults
// (workloads/training/training_run.h); prints one line per epoch.
#include <ostream>

#include "tools/cli/run_command.h"

namespace accsim {

int train_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
