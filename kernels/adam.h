#pragma once
// Adam and AdamW with the update of PyTorch's torch.optim.Adam / AdamW (single-tensor
// path of PyTorch 1.13, no amsgrad), in fp32 tensors with double scalars, per element at
// step t (1-based):
//   AdamW: p = p * (1 - lr * weight_decay)           (decoupled decay, before the moments)
//   Adam:  g = g + weight_decay * p                   (coupled L2; skipped when 0)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g * g
//   denom = sqrt(v) / sqrt(1 - beta2^t) + eps         (eps outside the bias-corrected root)
//   p = p - (lr / (1 - beta1^t)) * m / denom
// The moments ("exp_avg/<name>", "exp_avg_sq/<name>") and the step count are the state.
#include "kernels/optimizer.h"
#include "kernels/optimizer_config.h"

namespace accsim {

class Adam : public Optimizer {
 public:
  // Reads lr, beta1, beta2, eps and weight_decay; `decoupled`: AdamW.
  Adam(const OptimizerConfig& config, const std::vector<ParameterSpec>& params, bool decoupled);

 private:
  void update(Tensor& param, const Tensor& grad, const std::vector<Tensor*>& buffers, std::int64_t step) override;

  double beta1_, beta2_, eps_, weight_decay_;
  bool decoupled_;
};

}  // namespace accsim
