#pragma once
// `accsim train-campaign`: a training-fault campaign (workloads/train_campaign/): one
// fault per experiment injected while the network trains, classified masked, crash, SDC
// or latent against the fault-free run; rates with 95% intervals, every curve in HDF5.
#include <ostream>

#include "tools/cli/run_command.h"

namespace accsim {

int train_campaign_command(const RunOptions& options, std::ostream& out, std::ostream& err);

}  // namespace accsim
