#pragma once
// A conv/fc chain network (workloads/models/network.h) as a campaign's training subject:
// workloads/training/trainer.h does the steps, with the `training` block's batch size,
// optimiser, schedule and data split and the data order of `accsim train`.
#include <memory>

#include "kernels/lr_schedule.h"
#include "kernels/optimizer.h"
#include "workloads/models/network.h"
#include "workloads/train_campaign/training_data.h"
#include "workloads/train_campaign/training_subject.h"
#include "workloads/training/training_config.h"

namespace accsim {

class ChainTrainingSubject : public TrainingSubject {
 public:
  // The schedule spans `total_steps` (the campaign's steps).
  ChainTrainingSubject(const Network& net, NetworkParameters params, const TrainingConfig& t, long long total_steps,
                       std::uint64_t seed, std::shared_ptr<const TrainingData> data);
  ChainTrainingSubject(const ChainTrainingSubject& other);  // the optimiser's state copied exactly
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
  TrainingConfig config_;
  std::unique_ptr<Optimizer> optimizer_;
  LrSchedule schedule_;
  std::uint64_t seed_;
  std::shared_ptr<const TrainingData> data_;
};

}  // namespace accsim
