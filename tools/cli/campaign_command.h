#pragma once
// `accsim campaign`: a hardware-fault inference campaign (docs/campaign.md): N
// experiments with one random fault each on the config's array and network, classified
// as masked, SDC or crash; rates with 95% Wilson intervals by site, kind and bit on
// stdout; every experiment in an HDF5 file; resumable after a kill.
#include <ostream>

#include "tools/cli/run_command.h"
#include "workloads/run/run_config.h"

namespace accsim {

// Progress goes to `err` only when it is the process's std::cerr: a bar when that is a
// terminal, a line per 10% otherwise. SIGINT/SIGTERM stop the run after a checkpoint
// (exit code 128 + signal); rerunning the command resumes it.
int campaign_command(const RunOptions& options, std::ostream& out, std::ostream& err);

// The config's campaign block; InputError naming the file and key when it is missing or
// when the config also gives "faults" (`command` names the command in the message).
const CampaignConfig& campaign_block(const RunConfig& rc, const std::string& command);

}  // namespace accsim
