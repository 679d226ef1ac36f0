#pragma once
// `accsim errmodel`: map the config's hardware faults to software error models for
// every layer and pass of the workload, print one summary line each and write the
// error-model file (docs/error_model.md).
#include <ostream>

#include "tools/cli/run_command.h"

namespace accsim {

int errmodel_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
