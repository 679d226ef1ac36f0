#pragma once
// The optimiser and schedule settings of a training block, added to a resume key: a run
// resumed with other settings would mix two trajectories (`accsim train`, `accsim train-campaign`).
#include "workloads/experiments/key_hasher.h"
#include "workloads/training/training_config.h"

namespace accsim {

void hash_optimizer_settings(KeyHasher& h, const TrainingConfig& t);

}  // namespace accsim
