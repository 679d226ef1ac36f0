#pragma once
// A memory-fault experiment's result as bytes, for distributed runs
// (workloads/experiments/distributed_runner.h): what its evaluation found; the fault and
// where it strikes are drawn from the seed on every rank alike.
#include <vector>

#include "workloads/campaign/memory_campaign.h"
#include "workloads/experiments/result_codec.h"

namespace accsim {

// The codec over `experiments` (a run's MemoryCampaignResults::experiments).
ResultCodec memory_experiment_codec(std::vector<MemoryExperiment>& experiments);

}  // namespace accsim
