#pragma once
// What a training-fault campaign trains, through the few operations it needs, so that
// the campaign runs any model the trainer supports: graph models and, as graphs,
// conv/fc chains (graph_training_subject.h). A subject owns its
// parameters and optimiser state; the training and validation data are shared, read-only,
// between its clones, so clones may train on different threads.
#include <memory>
#include <string>

#include "arch/engine.h"

namespace accsim {

struct SubjectStep {
  double loss = 0.0;        // mean over the step's batch; NaN or Inf when non-finite
  bool non_finite = false;  // some logit was NaN or Inf
};

class TrainingSubject {
 public:
  virtual ~TrainingSubject() = default;
  // An independent copy of the parameters and optimiser state (the data are shared).
  virtual std::unique_ptr<TrainingSubject> clone() const = 0;
  // Trains on training step `step`'s batch (the seeded data order; steps run on across
  // epochs): forward, backward-data and backward-weight jobs on `engine`, starting at run
  // cycle 0 (a transient's cycle counts from the step's start), then one optimiser step.
  virtual SubjectStep train_step(long long step, Engine& engine) = 0;
  virtual int step_batch(long long step) const = 0;  // images of step `step`'s batch
  // Correctly classified validation images, inference on `engine`.
  virtual long long validation_correct(Engine& engine) const = 0;
  virtual int validation_images() const = 0;
  virtual std::string name() const = 0;
};

}  // namespace accsim
