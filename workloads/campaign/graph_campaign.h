#pragma once
// A campaign on a graph model (Campaign::graphs, workload.model): the recorded fault-free
// run of every batch once, then per experiment one fast engine with the fault and, per
// batch, the incremental rerun (workloads/models/graph_fault_evaluator.h). The trace's
// columns are the graph's array nodes. Mitigation variants are not supported here.
#include <cstdint>
#include <memory>
#include <ostream>

#include "workloads/campaign/campaign_evaluator.h"
#include "workloads/campaign/campaign_setup.h"
#include "workloads/run/run_config.h"

namespace accsim {

// Computes the fault-free runs on `campaign.config.threads` threads. Keeps a reference
// to `campaign`. Throws std::invalid_argument when the campaign has mitigation variants
// or lacks a graph for one of its batch sizes.
std::unique_ptr<CampaignEvaluator> make_graph_campaign_evaluator(const Campaign& campaign);

// load_campaign (workloads/campaign/campaign_setup.h) for a config with workload.model: the model
// loaded for each batch size the campaign runs (campaign.batch images, and the smaller
// last batch), the test images (Fashion-MNIST when the model's input is [N, 1, 28, 28]
// and the dataset is installed, otherwise seeded synthetic inputs labelled with the
// fault-free model's predictions, with a note on `notes`). InputError naming the file
// and key for campaign.model, campaign.mitigations and top-level mitigations (not
// supported with a model) and for a model whose first output is not logits [N, classes].
CampaignSource load_graph_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes);

// What load_graph_campaign refuses first (campaign.model, campaign.mitigations, top-level
// mitigations), for callers that validate configs before anything runs (accsim sweep).
void refuse_graph_campaign_keys(const RunConfig& rc);

}  // namespace accsim
