#pragma once
// Stochastic gradient descent with momentum and weight decay, with PyTorch's
// torch.optim.SGD semantics (dampening 0, no Nesterov), in fp32, per element:
//   d = g + weight_decay * p          (skipped when weight_decay == 0)
//   v = d on the first step, else v = momentum * v + d   (no v when momentum == 0: v = d)
//   p = p - lr * v
// The velocity buffers are the optimizer's state; state()/load_state() copy them
// exactly, so a restored optimizer continues a trajectory bit for bit.
#include <cstdint>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

struct SgdState {
  std::int64_t steps = 0;         // steps taken; 0: the velocities are not yet initialised
  std::vector<Tensor> velocity;   // one per parameter, shaped like it (zeros until the first step)
};

class Sgd {
 public:
  struct Config {
    float lr = 0.01f;
    float momentum = 0.9f;
    float weight_decay = 0.0f;
    void validate() const;  // lr > 0, momentum in [0, 1), weight_decay >= 0, all finite
  };

  // One velocity buffer per parameter shape, in the order step() receives the parameters.
  Sgd(const Config& config, const std::vector<std::vector<int>>& parameter_shapes);

  // Updates params[i] in place from grads[i]; shapes must match those given at construction.
  void step(const std::vector<Tensor*>& params, const std::vector<const Tensor*>& grads);

  const Config& config() const { return config_; }
  const SgdState& state() const { return state_; }
  // Replaces the state (e.g. from a checkpoint); the velocity shapes must match.
  void load_state(SgdState state);

 private:
  Config config_;
  SgdState state_;
};

}  // namespace accsim
