#pragma once
// The parts of a run config a hardware-fault campaign is set up from (load_campaign builds
// it; load_graph_campaign and the model loaders read nothing else).
#include <string>

#include "arch/array_config.h"
#include "kernels/activations.h"
#include "workloads/campaign/campaign_config.h"
#include "workloads/run/workload_config.h"

namespace accsim {

struct CampaignInputs {
  std::string file;  // the config, named in errors
  ArrayConfig array;
  WorkloadConfig workload;
  ActivationClip clip;  // the top-level mitigations' activation clip, on every Relu of every run
  CampaignConfig campaign;
};

}  // namespace accsim
