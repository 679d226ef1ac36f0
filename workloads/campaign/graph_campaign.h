#pragma once
// A campaign on its model as a graph (Campaign::graphs; an ONNX model or a network): the recorded fault-free
// run of every batch once, then per experiment one fast engine with the fault and, per
// batch, the incremental rerun (workloads/models/graph_fault_evaluator.h). The trace's
// columns are the graph's array nodes. Mitigation variants: the same fault under each
// (workloads/mitigations/graph_mitigated_evaluation.h).
#include <cstdint>
#include <memory>
#include <ostream>

#include "workloads/campaign/campaign_evaluator.h"
#include "workloads/campaign/campaign_inputs.h"
#include "workloads/campaign/campaign_setup.h"

namespace accsim {

// Computes the fault-free runs (and the variants') on `campaign.config.threads` threads.
// Keeps a reference to `campaign`. Throws std::invalid_argument when the campaign lacks
// a graph for one of its batch sizes.
std::unique_ptr<CampaignEvaluator> make_graph_campaign_evaluator(const Campaign& campaign);

// The workload's model (workload.model) at `batch` images, every Relu node clipping as
// `clip` (the top-level mitigations.activation_clip) says (none: as in the file): the
// workload's own graph when it is that. InputError naming `config_file` and the key when
// the clip is set and the model has no Relu node.
std::shared_ptr<const Graph> load_graph_model(const WorkloadConfig& workload, const ActivationClip& clip,
                                              const std::string& config_file, int batch);

// load_campaign (workloads/campaign/campaign_setup.h): the model (campaign_model.h: the
// ONNX graph of workload.model, or the network as a graph with its parameters) for each
// batch size the campaign runs (campaign.batch images, and the smaller last batch), the
// test images (workload_input.h: Fashion-MNIST when one image is [1, 28, 28] and the
// dataset is installed, otherwise seeded synthetic inputs labelled with the fault-free
// model's predictions, with a note on `notes`). The top-level
// mitigations.activation_clip clips every Relu node of every run. InputError naming the
// file and key for campaign.model with an ONNX model (it carries its parameters), for
// activation clipping (top-level or a variant's) on a model without Relu nodes and for a
// model whose first output is not logits [N, classes]; a note names the array nodes where
// a pruning variant has no parameter to prune.
CampaignSource load_graph_campaign(const CampaignInputs& in, std::uint64_t seed, std::ostream& notes);

// What load_graph_campaign refuses first (campaign.model with an ONNX model), for callers
// that validate configs before anything runs (accsim sweep).
void refuse_graph_campaign_keys(const WorkloadConfig& workload, const CampaignConfig& campaign,
                                const std::string& config_file);

}  // namespace accsim
