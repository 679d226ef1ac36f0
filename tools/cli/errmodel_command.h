#pragma once
// `accsim errmodel`: map the config's hardware faults to software error models for
// every array job of the model (a built-in or config network: one job per layer, named
// after it; an ONNX model: each node's jobs) and every pass, print one summary line each
// and write the error-model file (docs/error_model.md).
#include <ostream>

#include "tools/cli/run_options.h"

namespace accsim {

int errmodel_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
