#pragma once
// A conv/fc chain network (workloads/models/network.h) as a campaign's training subject:
// workloads/training/trainer.h does the steps, with the `training` block's batch size,
// SGD and data split and the data order of `accsim train`.
#include <memory>

#include "kernels/sgd.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/network.h"
#include "workloads/train_campaign/training_subject.h"
#include "workloads/training/training_config.h"

namespace accsim {

struct TrainingData {
  LabelledImages train, validation;
};

// train_limit (or the whole training part) and the validation split of Fashion-MNIST in `dir`.
std::shared_ptr<const TrainingData> load_training_data(const std::string& dir, const TrainingConfig& t);

class ChainTrainingSubject : public TrainingSubject {
 public:
  ChainTrainingSubject(const Network& net, NetworkParameters params, const TrainingConfig& t, std::uint64_t seed,
                       std::shared_ptr<const TrainingData> data);
  std::unique_ptr<TrainingSubject> clone() const override;
  SubjectStep train_step(long long step, Engine& engine) override;
  int step_batch(long long step) const override;
  long long validation_correct(Engine& engine) const override;
  int validation_images() const override;
  std::string name() const override { return net_.name; }
  const NetworkParameters& parameters() const { return params_; }

 private:
  Network net_;
  NetworkParameters params_;
  Sgd sgd_;
  TrainingConfig config_;
  std::uint64_t seed_;
  std::shared_ptr<const TrainingData> data_;
};

}  // namespace accsim
