#pragma once
// A training-fault campaign from a run config: its `train_campaign` block parsed and
// checked, the resume key, and the subject it trains: an ONNX model (workload.model) or a
// conv/fc chain network, both as graphs (graph_training_subject.h).
#include <memory>

#include "workloads/run/run_config.h"
#include "workloads/train_campaign/train_campaign.h"

namespace accsim {

// InputError naming the file and key when the block is missing or bad.
TrainCampaignSpec train_campaign_spec(const RunConfig& rc);

// The subject with its starting parameters and Fashion-MNIST's training and validation
// images (require_labelled_images first). workload.model: the file's initializers or,
// with training.init "seeded", graph_init.h's; InputError when the model does not take
// [batch, 1, 28, 28] images or train_campaign.model is given. A network: as a graph
// (network_graph.h) with train_campaign.model's parameters or seeded ones.
std::unique_ptr<TrainingSubject> training_subject(const RunConfig& rc, const TrainCampaignConfig& config);

}  // namespace accsim
