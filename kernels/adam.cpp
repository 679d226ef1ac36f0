#include "kernels/adam.h"

#include <cmath>

namespace accsim {

namespace {

double validated_lr(const OptimizerConfig& c) {
  c.validate();
  return c.lr;
}

}  // namespace

Adam::Adam(const OptimizerConfig& config, const std::vector<ParameterSpec>& params, bool decoupled)
    : Optimizer(params, {"exp_avg", "exp_avg_sq"}, validated_lr(config)),
      beta1_(config.beta1),
      beta2_(config.beta2),
      eps_(config.eps),
      weight_decay_(config.weight_decay),
      decoupled_(decoupled) {}

void Adam::update(Tensor& param, const Tensor& grad, const std::vector<Tensor*>& buffers, std::int64_t step) {
  // Scalars in double, as PyTorch's Python floats, rounded to fp32 where they meet a tensor.
  const double lr = learning_rate(), t = static_cast<double>(step);
  const float decay = static_cast<float>(1.0 - lr * weight_decay_), wd = static_cast<float>(weight_decay_);
  const float b1 = static_cast<float>(beta1_), one_minus_b1 = static_cast<float>(1.0 - beta1_);
  const float b2 = static_cast<float>(beta2_), one_minus_b2 = static_cast<float>(1.0 - beta2_);
  const float bias2_sqrt = static_cast<float>(std::sqrt(1.0 - std::pow(beta2_, t)));
  const float step_size = static_cast<float>(-(lr / (1.0 - std::pow(beta1_, t))));
  const float eps = static_cast<float>(eps_);
  const bool decay_param = decoupled_ && weight_decay_ != 0.0, l2 = !decoupled_ && weight_decay_ != 0.0;
  float* p = param.data();
  const float* g = grad.data();
  float* m = buffers[0]->data();
  float* v = buffers[1]->data();
  for (std::size_t j = 0, n = param.size(); j < n; ++j) {
    if (decay_param) p[j] = p[j] * decay;
    const float gj = l2 ? g[j] + wd * p[j] : g[j];
    m[j] = m[j] * b1 + one_minus_b1 * gj;
    v[j] = v[j] * b2 + one_minus_b2 * gj * gj;
    const float denom = std::sqrt(v[j]) / bias2_sqrt + eps;
    p[j] = p[j] + step_size * (m[j] / denom);
  }
}

}  // namespace accsim
