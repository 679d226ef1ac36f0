#pragma once
// The images a campaign's subject trains and validates on: train_limit (or the whole
// training part) and the validation split of Fashion-MNIST, as `accsim train` splits them.
// Shared, read-only, by a subject's clones.
#include <memory>
#include <string>

#include "workloads/io/fashion_mnist.h"
#include "workloads/training/training_config.h"

namespace accsim {

struct TrainingData {
  LabelledImages train, validation;
};

std::shared_ptr<const TrainingData> load_training_data(const std::string& dir, const TrainingConfig& t);

// Images in training step `step`'s batch (the data order's batches run on across epochs).
int step_batch_size(const TrainingData& data, int batch_size, long long step);

// Step `step`'s batch in the seeded data order of `accsim train` (epoch_order).
struct StepBatch {
  Tensor images;
  std::vector<int> labels;
};
StepBatch step_batch_data(const TrainingData& data, int batch_size, std::uint64_t seed, long long step);

}  // namespace accsim
