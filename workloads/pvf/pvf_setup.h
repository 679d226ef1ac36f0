#pragma once
// What `accsim pvf` runs on, from a run config (`rc.pvf` set): the model (an ONNX model
// with batch 1, or the network with pvf.model's parameters, else workload.parameters,
// else seeded ones with a note), the pool of test images (workload_input.h; synthetic images are labelled with the
// fault-free model's predictions, with a note on `notes`) and how the output names them.
#include <cstdint>
#include <ostream>
#include <string>

#include "workloads/pvf/pvf_campaign.h"
#include "workloads/run/run_config.h"

namespace accsim {

struct PvfSetup {
  PvfCampaign campaign;  // array, config and seed set
  std::string model_name, model_source, input_source;
};

PvfSetup load_pvf_setup(const RunConfig& rc, std::uint64_t seed, std::ostream& notes);

}  // namespace accsim
