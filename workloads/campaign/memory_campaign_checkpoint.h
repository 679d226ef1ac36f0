#pragma once
// Checkpoints of a running memory-fault campaign (docs/memory_faults.md), so that a killed
// or stopped run resumes: "<out>.checkpoint.h5" (run_checkpoint.h), rewritten atomically,
// with the results of every finished experiment and the campaign's key. An experiment's
// fault, and where it strikes, are drawn again from the seed on resume; only what its
// evaluation found is stored.
#include <string>

#include "workloads/campaign/campaign_types.h"
#include "workloads/campaign/memory_campaign.h"

namespace accsim {

inline constexpr const char* kMemoryCampaignCheckpointFormat = "accsim-memory-campaign-checkpoint";
inline constexpr int kMemoryCampaignCheckpointVersion = 1;

// 16 hex digits: the PE campaign's key (campaign_checkpoint.h: array, model, campaign keys,
// seed, test images) and the memory keys that decide results (the memory sites, each
// structure's code, the multi-bit upsets); not the raw FIT rates, which only scale the
// FIT table.
std::string memory_campaign_key(const Campaign& campaign);

// Writes the done experiments of `results` (atomically replacing `path`).
void write_memory_campaign_checkpoint(const std::string& path, const MemoryCampaignResults& results);

// Marks the experiments stored in `path` done in `results` (whose key and experiments are
// set) and returns how many. InputError naming the file when it is not a memory campaign
// checkpoint, was written for another campaign, or holds values out of range.
long long read_memory_campaign_checkpoint(const std::string& path, MemoryCampaignResults& results);

}  // namespace accsim
