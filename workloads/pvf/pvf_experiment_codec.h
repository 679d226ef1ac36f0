#pragma once
// A PVF experiment's result as bytes, for distributed runs (distributed_runner.h).
#include "workloads/experiments/result_codec.h"
#include "workloads/pvf/pvf_campaign.h"

namespace accsim {

void encode_pvf_experiment(const PvfExperiment& e, ByteWriter& w);
PvfExperiment decode_pvf_experiment(ByteReader& r);

// The codec over `experiments` (a run's PvfResults::experiments).
ResultCodec pvf_experiment_codec(std::vector<PvfExperiment>& experiments);

}  // namespace accsim
