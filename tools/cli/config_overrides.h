#pragma once
// The config a command runs: the config file with the command line's overrides applied
// (tools/cli/run_options.h), parsed by the ordinary config parsers, so that a flag and
// the key it overrides are validated by the same code.
#include <string>

#include <nlohmann/json.hpp>

#include "tools/cli/run_options.h"
#include "workloads/dlrm/dlrm_study.h"
#include "workloads/run/run_config.h"

namespace accsim {

// The config file's JSON with `options.overrides` applied (InputError when it cannot be read).
nlohmann::json load_config_json(const RunOptions& options);

// Both also refuse what the command must not do with the config: a workload it does not
// run (CommandSpec::workloads) and outputs that are inputs or not regular files
// (tools/cli/output_guard.h).
RunConfig load_run_config(const RunOptions& options);
DlrmStudyConfig load_dlrm_config(const RunOptions& options);

// An error message about a key that a flag set, with the flag appended:
// "x.json: training.epochs: 0 is outside ... (set by --epochs 0)"; others unchanged.
std::string with_override_source(const std::string& message, const std::vector<ConfigOverride>& overrides);

}  // namespace accsim
