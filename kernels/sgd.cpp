#include "kernels/sgd.h"

namespace accsim {

namespace {

std::vector<std::string> sgd_buffers(const OptimizerConfig& c) {
  c.validate();
  if (c.momentum == 0.0) return {};
  return {"momentum_buffer"};
}

}  // namespace

Sgd::Sgd(const OptimizerConfig& config, const std::vector<ParameterSpec>& params)
    : Optimizer(params, sgd_buffers(config), config.lr),
      momentum_(static_cast<float>(config.momentum)),
      weight_decay_(static_cast<float>(config.weight_decay)),
      nesterov_(config.nesterov) {}

void Sgd::update(Tensor& param, const Tensor& grad, const std::vector<Tensor*>& buffers, std::int64_t step) {
  const float lr = static_cast<float>(learning_rate()), mu = momentum_, wd = weight_decay_;
  const bool first = step == 1;
  float* p = param.data();
  const float* g = grad.data();
  float* v = buffers.empty() ? nullptr : buffers[0]->data();
  for (std::size_t j = 0, n = param.size(); j < n; ++j) {
    float d = g[j];
    if (wd != 0.0f) d = d + wd * p[j];
    if (v) {
      v[j] = first ? d : mu * v[j] + d;
      d = nesterov_ ? d + mu * v[j] : v[j];
    }
    p[j] = p[j] - lr * d;
  }
}

}  // namespace accsim
