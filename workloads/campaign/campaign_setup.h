#pragma once
// What `accsim campaign` runs on, from a run config: the model (the campaign's parameter
// file, or seeded Kaiming-uniform parameters with a note) and the test images
// (Fashion-MNIST, or seeded synthetic images with a note when the dataset is missing).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "workloads/campaign/campaign_types.h"
#include "workloads/run/run_config.h"

namespace accsim {

struct CampaignSource {
  Campaign campaign;
  std::string model_source;  // "parameters from FILE" / "seeded Kaiming-uniform parameters (seed N)"
  std::string input_source;  // "Fashion-MNIST test images 0..99" / "100 synthetic images 0..99 (seed N)"
};

// What a campaign runs on, for any campaign kind: the parameters (`model`, the parameter
// file of `model_key`; else workload.parameters; else seeded Kaiming-uniform ones with a
// note) and the test images `test_offset`.. (workload_input.h; `batch`: images per job
// when labelling synthetic images with the fault-free model's predictions).
struct CampaignInputs {
  NetworkParameters params;
  Tensor images;
  std::vector<int> labels;
  std::string model_source, input_source;
};
CampaignInputs load_campaign_inputs(const RunConfig& rc, const std::string& model_key, const std::string& model,
                                    int test_offset, int test_limit, int batch, std::uint64_t seed, std::ostream& notes);

// The config key the chain network's parameters come from: `own_key` when `own_model` is
// set, else workload.parameters, else workload.network (seeded parameters).
std::string model_key_of(const std::string& own_model, const std::string& own_key, const RunConfig& rc);

// `rc.campaign` must be set. Synthetic images carry the fault-free model's predictions
// as labels, so that every image counts as correct and an SDC is any changed prediction.
// With workload.model, the graph model (load_graph_campaign, workloads/campaign/graph_campaign.h).
// What every campaign refuses before anything runs (accsim campaign, a sweep's campaign
// points): top-level mitigations other than activation_clip (they are measured as
// variants in campaign.mitigations), and what a graph model's campaign cannot take.
void refuse_campaign_keys(const RunConfig& rc);

CampaignSource load_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes);

}  // namespace accsim
