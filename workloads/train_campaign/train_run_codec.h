#pragma once
// A training-fault experiment's record as bytes, for distributed runs
// (workloads/experiments/distributed_runner.h).
#include <vector>

#include "workloads/experiments/result_codec.h"
#include "workloads/train_campaign/faulty_training.h"

namespace accsim {

// The codec over `runs` (a run's TrainCampaignResults::runs).
ResultCodec train_run_codec(std::vector<TrainRunRecord>& runs);

}  // namespace accsim
