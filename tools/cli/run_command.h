#pragma once
// The main job: run the configured model (a built-in or config network, or an ONNX
// model: one graph either way) on the simulated array, fault-free and with the config's
// faults (and mitigations), print a per-layer table, the predictions and the swizzle
// report, and write the HDF5 results (docs/outputs.md). A SCALE-Sim topology runs
// through topology_command instead.
#include <ostream>

#include "tools/cli/run_options.h"
#include "workloads/run/run_config.h"

namespace accsim {

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err);

// "faults:" and one described fault per line ("faults: none"), then a newline.
void print_faults(std::ostream& out, const RunConfig& rc);

}  // namespace accsim
