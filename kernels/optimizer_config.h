#pragma once
// The hyper-parameters of every optimiser (kernels/optimizer_table.h picks the class
// by name); each optimiser reads the fields it uses. Defaults: today's SGD.
#include <string>

namespace accsim {

struct OptimizerConfig {
  std::string name = "sgd";   // sgd, adam, adamw
  double lr = 0.01;           // the base learning rate (a schedule scales it per step)
  double momentum = 0.9;      // sgd
  bool nesterov = false;      // sgd; needs momentum > 0
  double weight_decay = 0.0;  // sgd, adam: L2 added to the gradient; adamw: decoupled
  double beta1 = 0.9, beta2 = 0.999;  // adam, adamw
  double eps = 1e-8;                  // adam, adamw

  // std::invalid_argument for a value no optimiser accepts (config files are range-checked
  // with InputError before: workloads/training/training_config.h).
  void validate() const;
};

}  // namespace accsim
