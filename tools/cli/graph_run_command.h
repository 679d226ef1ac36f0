#pragma once
// The plain run of an ONNX model (`workload.model`): the graph fault-free and faulty on
// the chosen engine, a table per array node (jobs, cycles, corrupted outputs), the
// predictions per image, HDF5 results (docs/models.md).
#include <ostream>

#include "tools/cli/run_command.h"
#include "workloads/run/run_config.h"

namespace accsim {

int graph_run_command(const RunConfig& rc, const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
