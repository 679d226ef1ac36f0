#pragma once
// `accsim campaign` with the memory sites `cbuf` / `dram` (docs/memory_faults.md): runs
// the memory-fault campaign, prints the outcome rates and the FIT table, writes the HDF5
// file and two CSV files beside it (<out>.csv: the rates, <out>.fit.csv: the FIT table).
// Like the PE campaign it checkpoints to <out>.checkpoint.h5 (every
// campaign.checkpoint_seconds, and on SIGINT / SIGTERM), and a rerun resumes from it.
#include <ostream>
#include <string>

#include "tools/cli/run_options.h"
#include "workloads/campaign/campaign_setup.h"

namespace accsim {

// <out>.fit.csv: the FIT table beside the results file.
std::string fit_csv_path(const std::string& out_file);

int memory_campaign_command(const RunOptions& options, const RunConfig& rc, const CampaignSource& source,
                            std::ostream& out, std::ostream& err);

}  // namespace accsim
