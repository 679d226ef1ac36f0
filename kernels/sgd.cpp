#include "kernels/sgd.h"

namespace accsim {

namespace {

std::vector<std::string> sgd_buffers(const OptimizerConfig& c) {
  c.validate();
  if (c.momentum == 0.0) return {};
  return {"momentum_buffer"};
}

struct SgdStep {
  float lr, mu, wd;
  bool first;  // the velocity starts as d
};

// One parameter's update with the options fixed at compile time and no aliasing, so the
// compiler vectorises it (the per-element tests of one loop for every option kept it
// scalar); each element's operations are the same, in the same order.
template <bool kDecay, bool kMomentum, bool kNesterov>
void update_elements(float* __restrict p, const float* __restrict g, float* __restrict v, std::size_t n, SgdStep s) {
  for (std::size_t j = 0; j < n; ++j) {
    float d = g[j];
    if (kDecay) d = d + s.wd * p[j];
    if (kMomentum) {
      const float vj = s.first ? d : s.mu * v[j] + d;
      v[j] = vj;
      d = kNesterov ? d + s.mu * vj : vj;
    }
    p[j] = p[j] - s.lr * d;
  }
}

using UpdateElements = void (*)(float*, const float*, float*, std::size_t, SgdStep);
// [weight decay][momentum][nesterov]
constexpr UpdateElements update_of[2][2][2] = {
    {{update_elements<false, false, false>, update_elements<false, false, true>},
     {update_elements<false, true, false>, update_elements<false, true, true>}},
    {{update_elements<true, false, false>, update_elements<true, false, true>},
     {update_elements<true, true, false>, update_elements<true, true, true>}},
};

}  // namespace

Sgd::Sgd(const OptimizerConfig& config, const std::vector<ParameterSpec>& params)
    : Optimizer(params, sgd_buffers(config), config.lr),
      momentum_(static_cast<float>(config.momentum)),
      weight_decay_(static_cast<float>(config.weight_decay)),
      nesterov_(config.nesterov) {}

void Sgd::update(Tensor& param, const Tensor& grad, const std::vector<Tensor*>& buffers, std::int64_t step) {
  const bool momentum = !buffers.empty();
  const SgdStep s{static_cast<float>(learning_rate()), momentum_, weight_decay_, step == 1};
  update_of[weight_decay_ != 0.0f][momentum][momentum && nesterov_](param.data(), grad.data(),
                                                                      momentum ? buffers[0]->data() : nullptr,
                                                                      param.size(), s);
}

}  // namespace accsim
