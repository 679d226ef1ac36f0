#pragma once
// A hardware-fault campaign experiment's result as bytes, for distributed runs
// (distributed_runner.h).
#include "workloads/campaign/campaign_types.h"
#include "workloads/experiments/result_codec.h"

namespace accsim {

// The codec over `experiments` (a run's CampaignResults::experiments).
ResultCodec campaign_result_codec(std::vector<ExperimentResult>& experiments);

}  // namespace accsim
