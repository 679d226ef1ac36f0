#pragma once
// A PVF experiment's result as bytes, for distributed runs (distributed_runner.h).
#include "workloads/experiments/result_codec.h"
#include "workloads/pvf/pvf_campaign.h"

namespace accsim {

// The codec over `experiments` (a run's PvfResults::experiments).
ResultCodec pvf_experiment_codec(std::vector<PvfExperiment>& experiments);

}  // namespace accsim
