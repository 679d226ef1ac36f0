#pragma once
// `accsim replay`: one experiment of a campaign rerun from the config's seed and the
// experiment's index alone (`--experiment ID`), through the campaign's own code, and
// its full record written to HDF5 (docs/campaign.md "Replaying an experiment").
#include <ostream>

#include "tools/cli/run_options.h"

namespace accsim {

int replay_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
