#pragma once
// A training-fault campaign from a run config: its `train_campaign` block parsed and
// checked, the resume key, and the subject it trains (a conv/fc chain network today).
#include <memory>

#include "workloads/run/run_config.h"
#include "workloads/train_campaign/train_campaign.h"

namespace accsim {

// InputError naming the file and key when the block is missing or bad.
TrainCampaignSpec train_campaign_spec(const RunConfig& rc);

// The network with the model file's parameters (train_campaign.model) or seeded ones,
// and Fashion-MNIST's training and validation images (require_labelled_images first).
std::unique_ptr<TrainingSubject> chain_subject(const RunConfig& rc, const TrainCampaignConfig& config);

}  // namespace accsim
