#pragma once
// The main job: run the configured network on the simulated array, fault-free and
// with the config's faults, print a per-layer table and write the HDF5 results.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "workloads/run_config.h"

namespace accsim {

struct RunOptions {
  std::string config_file;
  std::string out_file;
  std::optional<std::uint64_t> seed;  // overrides the config's seed
  std::string engine = "fast";        // "fast" or "cycle"
  bool quiet = false;                 // no progress on stderr
  // train: override the config's training block
  std::optional<int> train_limit, test_limit, epochs;
};

int run_command(const RunOptions& options, std::ostream& out, std::ostream& err);

// "faults:" and one described fault per line ("faults: none"), then a newline.
void print_faults(std::ostream& out, const RunConfig& rc);

}  // namespace accsim
