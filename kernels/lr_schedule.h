#pragma once
// Learning-rate schedules over optimiser steps (batches), a pure function of the step so
// a resumed run needs no schedule state. With W warm-up steps and T total steps, step t
// (0-based) uses
//   t < W:  lr * (t + 1) / W                                  (linear warm-up, any decay)
//   else, with s = t - W, S = T - W:
//     constant  lr
//     cosine    min_lr + (lr - min_lr) * (1 + cos(pi * s / S)) / 2   (min_lr once s >= S)
//     step      lr * gamma^floor(s / step_size)
// These are PyTorch's LinearLR(1/W, 1, W-1), CosineAnnealingLR(S, min_lr) and StepLR,
// chained by SequentialLR at milestone W (tools/python/torch_optim_fixture.py).
#include <string>
#include <vector>

namespace accsim {

struct LrScheduleConfig {
  std::string name = "constant";  // constant, cosine, step
  long long warmup_steps = 0;
  double min_lr = 0.0;            // cosine: the floor, <= the base lr
  long long step_size = 1;        // step: steps between decays, >= 1
  double gamma = 0.1;             // step: factor per decay, in (0, 1]
};

class LrSchedule {
 public:
  // std::invalid_argument for an unknown name or values out of range.
  LrSchedule(const LrScheduleConfig& config, double base_lr, long long total_steps);

  double at(long long step) const;  // the learning rate of 0-based step `step`

 private:
  LrScheduleConfig config_;
  double base_lr_;
  long long total_steps_;
  double (*decay_)(const LrScheduleConfig&, double base_lr, long long s, long long S);
};

std::vector<std::string> lr_schedule_names();

}  // namespace accsim
