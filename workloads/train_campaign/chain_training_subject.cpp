#include "workloads/train_campaign/chain_training_subject.h"

#include <algorithm>

#include "kernels/optimizer_table.h"
#include "workloads/models/inference.h"
#include "workloads/training/trainer.h"
#include "workloads/training/training_batches.h"

namespace accsim {

ChainTrainingSubject::ChainTrainingSubject(const Network& net, NetworkParameters params, const TrainingConfig& t,
                                           long long total_steps, std::uint64_t seed,
                                           std::shared_ptr<const TrainingData> data)
    : net_(net),
      params_(std::move(params)),
      config_(t),
      optimizer_(make_optimizer(t.optimizer, Trainer::parameter_specs(net_, params_))),
      schedule_(t.schedule, t.optimizer.lr, total_steps),
      seed_(seed),
      data_(std::move(data)) {}

ChainTrainingSubject::ChainTrainingSubject(const ChainTrainingSubject& other)
    : net_(other.net_),
      params_(other.params_),
      config_(other.config_),
      optimizer_(make_optimizer(other.config_.optimizer, Trainer::parameter_specs(net_, params_))),
      schedule_(other.schedule_),
      seed_(other.seed_),
      data_(other.data_) {
  optimizer_->load_state(other.optimizer_->state());
  optimizer_->set_learning_rate(other.optimizer_->learning_rate());
}

std::unique_ptr<TrainingSubject> ChainTrainingSubject::clone() const {
  return std::make_unique<ChainTrainingSubject>(*this);
}

int ChainTrainingSubject::step_batch(long long step) const {
  const int n = data_->train.images.dim(0), batches = (n + config_.batch_size - 1) / config_.batch_size;
  const int b = static_cast<int>(step % batches);
  return std::min(config_.batch_size, n - b * config_.batch_size);
}

SubjectStep ChainTrainingSubject::train_step(long long step, Engine& engine) {
  const LabelledImages& train = data_->train;
  const int n = train.images.dim(0), batches = (n + config_.batch_size - 1) / config_.batch_size;
  const std::vector<int> order = epoch_order(n, seed_, static_cast<int>(step / batches));
  const std::size_t first = static_cast<std::size_t>(step % batches) * static_cast<std::size_t>(config_.batch_size);
  const std::size_t count = static_cast<std::size_t>(step_batch(step));
  std::vector<int> labels(count);
  for (std::size_t i = 0; i < count; ++i) labels[i] = train.labels[static_cast<std::size_t>(order[first + i])];
  Trainer trainer(net_, params_, engine);
  long long cycle = 0;
  optimizer_->set_learning_rate(schedule_.at(optimizer_->steps()));  // a function of the step, as in accsim train
  const StepResult r = trainer.train_step(gather(train.images, order, first, count), labels, *optimizer_, cycle);
  return {r.loss.loss, r.loss.non_finite};
}

long long ChainTrainingSubject::validation_correct(Engine& engine) const {
  const LabelledImages& v = data_->validation;
  const int n = v.images.dim(0), batch = config_.eval_batch;
  const std::vector<int> order = identity_order(n);
  long long correct = 0;
  for (int first = 0; first < n; first += batch) {
    const int count = std::min(batch, n - first);
    const Tensor images = gather(v.images, order, static_cast<std::size_t>(first), static_cast<std::size_t>(count));
    const NetworkRun run = run_network(net_, params_, images, engine);
    const std::vector<int> labels(v.labels.begin() + first, v.labels.begin() + first + count);
    correct += softmax_cross_entropy(run.logits, labels).correct;
  }
  return correct;
}

int ChainTrainingSubject::validation_images() const { return data_->validation.images.dim(0); }

}  // namespace accsim
