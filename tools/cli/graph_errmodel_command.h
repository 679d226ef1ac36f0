#pragma once
// `accsim errmodel` on an ONNX model: the error model of every array job of the graph
// (each node's jobs: per group, per batch matrix, per dilation phase) and pass, in job
// coordinates, attributed to its node (docs/error_model.md "Graph models").
#include <ostream>

#include "tools/cli/run_command.h"
#include "workloads/run/run_config.h"

namespace accsim {

int graph_errmodel_command(const RunConfig& rc, const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
