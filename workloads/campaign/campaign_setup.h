#pragma once
// What `accsim campaign` runs on, from a run config (the setup: what follows reads only
// CampaignInputs, campaign_inputs.h): the model as a graph
// (campaign_model.h: an ONNX model, or the network with the campaign's parameter file,
// else workload.parameters, else seeded Kaiming-uniform parameters with a note) and the
// test images (Fashion-MNIST, or seeded synthetic images with a note when the dataset is
// missing).
#include <cstdint>
#include <ostream>
#include <string>

#include "workloads/campaign/campaign_inputs.h"
#include "workloads/campaign/campaign_types.h"
#include "workloads/run/run_config.h"

namespace accsim {

struct CampaignSource {
  Campaign campaign;
  std::string model_source;  // "parameters from FILE" / "seeded Kaiming-uniform parameters (seed N)" / "ONNX model ..."
  std::string input_source;  // "Fashion-MNIST test images 0..99" / "100 synthetic images 0..99 (seed N)"
};

// What every campaign refuses before anything runs (accsim campaign, a sweep's campaign
// points): top-level mitigations other than activation_clip (they are measured as
// variants in campaign.mitigations), and campaign.model with an ONNX model.
void refuse_campaign_keys(const RunConfig& rc);

// What a campaign reads of `rc`; `rc.campaign` must be set.
CampaignInputs campaign_inputs(const RunConfig& rc);

// `rc.campaign` must be set. Synthetic images carry the fault-free model's predictions
// as labels, so that every image counts as correct and an SDC is any changed prediction
// (load_graph_campaign, workloads/campaign/graph_campaign.h).
CampaignSource load_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes);

}  // namespace accsim
