#pragma once
// The `training` block of a config (docs/config.md): epochs, batches, the optimiser and its
// learning-rate schedule, data split.
#include <string>

#include "arch/config_reader.h"
#include "kernels/lr_schedule.h"
#include "kernels/optimizer_config.h"

namespace accsim {

struct TrainingConfig {
  int epochs = 5;
  int batch_size = 64;
  OptimizerConfig optimizer;    // default: SGD, lr 0.01, momentum 0.9, no weight decay
  LrScheduleConfig schedule;    // default: constant
  int train_limit = 0;          // training images used per epoch (0: the whole training part)
  int validation_size = 5000;   // the last images of the training file, never trained on
  int test_limit = 10000;       // test images for the final accuracy
  int eval_batch = 250;         // images per inference job when evaluating
  std::string init = "onnx";    // graph models: "onnx" (the file's initializers), "seeded" or "kaiming" (graph_init.h)
  int threads = 0;              // per array job; 0: the CPUs this process may use. Results do not depend on it
};

inline constexpr int kFashionMnistTrainImages = 60000;

// Reads the block; absent keys keep their defaults; InputError with the JSON path.
TrainingConfig parse_training_config(ConfigReader r);

// One line for the run's header, e.g. "sgd lr 0.01, momentum 0.9, weight decay 0.0005, constant lr".
std::string describe_optimization(const TrainingConfig& t);

}  // namespace accsim
