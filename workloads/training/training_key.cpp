#include "workloads/training/training_key.h"

namespace accsim {

void hash_optimizer_settings(KeyHasher& h, const TrainingConfig& t) {
  const OptimizerConfig& op = t.optimizer;
  h.str(op.name);
  for (double v : {op.lr, op.momentum, op.weight_decay, op.beta1, op.beta2, op.eps}) h.f64(v);
  h.i64(op.nesterov);
  h.str(t.schedule.name);
  for (long long v : {t.schedule.warmup_steps, t.schedule.step_size}) h.i64(v);
  for (double v : {t.schedule.min_lr, t.schedule.gamma}) h.f64(v);
}

void hash_training_settings(KeyHasher& h, const TrainingConfig& t) {
  for (long long v : {static_cast<long long>(t.epochs), static_cast<long long>(t.batch_size),
                      static_cast<long long>(t.train_limit), static_cast<long long>(t.validation_size),
                      static_cast<long long>(t.test_limit)})
    h.i64(v);
  hash_optimizer_settings(h, t);
}

}  // namespace accsim
