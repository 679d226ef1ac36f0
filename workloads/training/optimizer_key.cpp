#include "workloads/training/optimizer_key.h"

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

}  // namespace accsim
