#pragma once
// What every results file records about the run that made it: accsim's version, the
// config (text and file), the seed and the engine, as root attributes.
#include <cstdint>
#include <string>

#include "workloads/io/results_file.h"

namespace accsim {

// `config_file` names the config, `config_text` is the config as read.
void write_run_attributes(ResultsFile& h5, const std::string& config_file, const std::string& config_text,
                          std::uint64_t seed, const std::string& engine);

}  // namespace accsim
