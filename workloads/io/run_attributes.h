#pragma once
// What every results file records about the run that made it: accsim's version, the
// config (text and file), the seed and the engine, as root attributes.
#include <cstdint>
#include <string>

#include "workloads/io/results_file.h"
#include "workloads/run/run_config.h"

namespace accsim {

void write_run_attributes(ResultsFile& h5, const RunConfig& rc, std::uint64_t seed, const std::string& engine);

}  // namespace accsim
