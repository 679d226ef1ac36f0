#include "kernels/sgd.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace accsim {

void Sgd::Config::validate() const {
  if (!(std::isfinite(lr) && lr > 0.0f)) throw std::invalid_argument("sgd: lr must be a finite number > 0");
  if (!(momentum >= 0.0f && momentum < 1.0f)) throw std::invalid_argument("sgd: momentum must be in [0, 1)");
  if (!(std::isfinite(weight_decay) && weight_decay >= 0.0f))
    throw std::invalid_argument("sgd: weight_decay must be a finite number >= 0");
}

Sgd::Sgd(const Config& config, const std::vector<std::vector<int>>& parameter_shapes) : config_(config) {
  config_.validate();
  for (const auto& s : parameter_shapes) state_.velocity.emplace_back(s);
}

void Sgd::step(const std::vector<Tensor*>& params, const std::vector<const Tensor*>& grads) {
  const std::size_t count = state_.velocity.size();
  if (params.size() != count || grads.size() != count)
    throw std::invalid_argument("sgd: step with " + std::to_string(params.size()) + " parameters and " +
                                std::to_string(grads.size()) + " gradients, optimizer holds " +
                                std::to_string(count));
  for (std::size_t i = 0; i < count; ++i) {
    const auto& shape = state_.velocity[i].shape();
    if (params[i]->shape() != shape || grads[i]->shape() != shape)
      throw std::invalid_argument("sgd: parameter " + std::to_string(i) + " " + params[i]->shape_string() +
                                  " / gradient " + grads[i]->shape_string() + " differ from " +
                                  state_.velocity[i].shape_string());
  }
  const float lr = config_.lr, mu = config_.momentum, wd = config_.weight_decay;
  const bool first = state_.steps == 0;
  for (std::size_t i = 0; i < count; ++i) {
    float* p = params[i]->data();
    const float* g = grads[i]->data();
    float* v = state_.velocity[i].data();
    for (std::size_t j = 0, n = state_.velocity[i].size(); j < n; ++j) {
      float d = g[j];
      if (wd != 0.0f) d = d + wd * p[j];
      if (mu != 0.0f) d = v[j] = first ? d : mu * v[j] + d;
      p[j] = p[j] - lr * d;
    }
  }
  ++state_.steps;
}

void Sgd::load_state(SgdState state) {
  if (state.steps < 0) throw std::invalid_argument("sgd: negative step count in the state");
  if (state.velocity.size() != state_.velocity.size())
    throw std::invalid_argument("sgd: state holds " + std::to_string(state.velocity.size()) +
                                " velocities, optimizer has " + std::to_string(state_.velocity.size()) +
                                " parameters");
  for (std::size_t i = 0; i < state.velocity.size(); ++i)
    if (state.velocity[i].shape() != state_.velocity[i].shape())
      throw std::invalid_argument("sgd: velocity " + std::to_string(i) + " " + state.velocity[i].shape_string() +
                                  " differs from parameter shape " + state_.velocity[i].shape_string());
  state_ = std::move(state);
}

}  // namespace accsim
