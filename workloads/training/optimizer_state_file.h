#pragma once
// An optimiser's state (kernels/optimizer.h) in a results or checkpoint file: the step
// count as the root attribute `optimizer_steps`, the buffers as /optimizer/state/<i> in
// name order, their names in /optimizer/buffers. Shared by every trainer that checkpoints.
#include <string>

#include "kernels/optimizer.h"
#include "workloads/io/results_file.h"

namespace accsim {

void write_optimizer_state(ResultsFile& h5, const OptimizerState& state);

// The state of an optimiser whose fresh state is `like` (same buffer names and shapes);
// InputError naming the file and dataset for anything else, shapes checked before reading.
OptimizerState read_optimizer_state(const std::string& file, const OptimizerState& like);

}  // namespace accsim
