#include "workloads/train_campaign/training_data.h"

#include <algorithm>

#include "workloads/training/training_batches.h"
#include "workloads/training/training_epochs.h"

namespace accsim {

std::shared_ptr<const TrainingData> load_training_data(const std::string& dir, const TrainingConfig& t) {
  auto d = std::make_shared<TrainingData>();
  const int train_part = kFashionMnistTrainImages - t.validation_size;
  d->train = load_fashion_mnist(dir, DatasetSplit::train, 0, t.train_limit ? t.train_limit : train_part);
  d->validation = load_fashion_mnist(dir, DatasetSplit::train, train_part, t.validation_size);
  return d;
}

int step_batch_size(const TrainingData& data, int batch_size, long long step) {
  const int n = data.train.images.dim(0), batches = (n + batch_size - 1) / batch_size;
  const int b = static_cast<int>(step % batches);
  return std::min(batch_size, n - b * batch_size);
}

StepBatch step_batch_data(const TrainingData& data, int batch_size, std::uint64_t seed, long long step) {
  const LabelledImages& train = data.train;
  const int n = train.images.dim(0), batches = (n + batch_size - 1) / batch_size;
  const std::vector<int> order = epoch_order(n, seed, static_cast<int>(step / batches));
  const std::size_t first = static_cast<std::size_t>(step % batches) * static_cast<std::size_t>(batch_size);
  const std::size_t count = static_cast<std::size_t>(step_batch_size(data, batch_size, step));
  return {gather(train.images, order, first, count), gather_labels(train.labels, order, first, count)};
}

}  // namespace accsim
