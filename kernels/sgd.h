#pragma once
// Stochastic gradient descent with PyTorch's torch.optim.SGD semantics (dampening 0), in
// fp32, per element:
//   d = g + weight_decay * p                 (coupled L2; skipped when weight_decay == 0)
//   v = d on the first step, else v = momentum * v + d    (no buffer when momentum == 0)
//   d = d + momentum * v if nesterov, else d = v          (when momentum > 0)
//   p = p - lr * d
// The velocity ("momentum_buffer/<name>") is the state.
#include "kernels/optimizer.h"
#include "kernels/optimizer_config.h"

namespace accsim {

class Sgd : public Optimizer {
 public:
  // Reads lr, momentum, nesterov and weight_decay; std::invalid_argument if out of range.
  Sgd(const OptimizerConfig& config, const std::vector<ParameterSpec>& params);

 private:
  void update(Tensor& param, const Tensor& grad, const std::vector<Tensor*>& buffers, std::int64_t step) override;

  float momentum_, weight_decay_;
  bool nesterov_;
};

}  // namespace accsim
