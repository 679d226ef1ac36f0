#pragma once
// Checkpoints of a running PVF campaign (workloads/pvf/pvf_campaign.h): an HDF5 file
// "<out>.checkpoint.h5" (run_checkpoint.h) rewritten atomically with every finished
// experiment and the campaign's key; a checkpoint of another campaign is refused.
#include <string>

#include "workloads/pvf/pvf_campaign.h"

namespace accsim {

inline constexpr const char* kPvfCheckpointFormat = "accsim-pvf-checkpoint";
inline constexpr int kPvfCheckpointVersion = 1;

void write_pvf_checkpoint(const std::string& path, const PvfResults& results);

// Marks the experiments stored in `path` done in `results` (key, experiments with their
// model/target/image, and variants set) and returns how many. InputError naming the
// file when it is not a PVF checkpoint, was written for another campaign, or disagrees
// with the experiments' draws. `partial_plan` (an adaptive run, planned round by round):
// experiments beyond the plan so far are left for a later round's call.
long long read_pvf_checkpoint(const std::string& path, PvfResults& results, bool partial_plan = false);

}  // namespace accsim
