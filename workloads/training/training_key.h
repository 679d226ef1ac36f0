#pragma once
// A training block's settings added to a resume key: a run resumed with other settings
// would mix two trajectories (`accsim train`, `accsim train-campaign`).
#include "workloads/experiments/key_hasher.h"
#include "workloads/training/training_config.h"

namespace accsim {

// The optimiser and its learning-rate schedule.
void hash_optimizer_settings(KeyHasher& h, const TrainingConfig& t);
// Epochs, batch size, the data limits and split, then the optimiser and schedule.
void hash_training_settings(KeyHasher& h, const TrainingConfig& t);

}  // namespace accsim
