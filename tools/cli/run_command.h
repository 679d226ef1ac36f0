#pragma once
// The main job: run the configured network on the simulated array, fault-free and
// with the config's faults, print a per-layer table and write the HDF5 results.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "tools/cli/run_options.h"
#include "workloads/run/run_config.h"

namespace accsim {

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err);

// "faults:" and one described fault per line ("faults: none"), then a newline.
void print_faults(std::ostream& out, const RunConfig& rc);

}  // namespace accsim
