#pragma once
// --out never replaces what a run reads or what is not a file: every file a command
// writes (--out and its checkpoint, CSV, plot: RunOptions::outputs) is refused when it is
// an input of the run (the config, a model, parameter, topology or dataset file; the same
// file under any name or link) or exists as anything but a regular file (a directory, a
// FIFO, a device such as /dev/null, which the final rename would replace), or has a name
// longer than the file-name limit (the CSV of a 255-byte --out).
#include <string>
#include <vector>

#include "tools/cli/run_options.h"
#include "workloads/run/run_config.h"

namespace accsim {

struct NamedInput {
  std::string role;  // how the message names it: "the config file", "campaign.model"
  std::string path;
};

// The files a run config makes a command read, the config itself first.
std::vector<NamedInput> run_inputs(const RunConfig& rc, const std::string& config_file);

// InputError "--out X: it is campaign.model (m.h5), an input of this run; choose another
// --out" (or "... the CSV it implies, x.csv, is a directory ...") for the first unsafe output.
void refuse_unsafe_outputs(const RunOptions& options, const std::vector<NamedInput>& inputs);

}  // namespace accsim
