#pragma once
// Checkpoints of a running campaign, so that a killed run resumes: an HDF5 file next to
// the output (run_checkpoint.h: "<out>.checkpoint.h5"), rewritten atomically (temporary name, then rename)
// with the results of every experiment finished so far and the campaign's key, a hash
// of everything the results depend on. A checkpoint of another campaign (different
// array, network or graph model, campaign keys, seed, model parameters or test images) is refused.
#include <string>

#include "workloads/campaign/campaign_types.h"

namespace accsim {

inline constexpr const char* kCampaignCheckpointFormat = "accsim-campaign-checkpoint";
inline constexpr int kCampaignCheckpointVersion = 3;  // 2: mitigation variants' results (/variants/*); 3: witness image, first non-finite node

// 16 hex digits: FNV-1a over the array, the network (and its clip) and its parameters'
// bits or the graph model (workloads/models/graph_hash.h), the campaign keys that decide
// the results (the mitigation variants included), the seed and the test images' bits and labels.
std::string campaign_key(const Campaign& campaign);

// Writes the done experiments of `results` (atomically replacing `path`).
void write_campaign_checkpoint(const std::string& path, const CampaignResults& results);

// Marks the experiments stored in `path` done in `results` (whose key, experiment count
// and layers are set) and returns how many. InputError naming the file when it is not a
// campaign checkpoint or was written for another campaign.
long long read_campaign_checkpoint(const std::string& path, CampaignResults& results);

}  // namespace accsim
