#include "kernels/optimizer.h"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace accsim {

namespace {

std::string buffer_key(const std::string& buffer, const std::string& param) { return buffer + "/" + param; }

std::string shape_text(const std::vector<int>& shape) { return Tensor(shape).shape_string(); }

}  // namespace

Optimizer::Optimizer(const std::vector<ParameterSpec>& params, const std::vector<std::string>& buffers, double lr)
    : params_(params), buffer_names_(buffers), lr_(0.0) {
  set_learning_rate(lr);
  std::map<std::string, int> seen;
  for (const ParameterSpec& p : params_)
    if (++seen[p.name] > 1) throw std::invalid_argument("optimizer: parameter \"" + p.name + "\" named twice");
  for (const ParameterSpec& p : params_)
    for (const std::string& b : buffer_names_) state_.buffers.emplace(buffer_key(b, p.name), Tensor(p.shape));
}

void Optimizer::set_learning_rate(double lr) {
  if (!(std::isfinite(lr) && lr >= 0.0)) throw std::invalid_argument("optimizer: the learning rate must be finite and >= 0");
  lr_ = lr;
}

void Optimizer::step(const std::vector<ParameterRef>& params) {
  if (params.size() != params_.size())
    throw std::invalid_argument("optimizer: step with " + std::to_string(params.size()) + " parameters, optimizer holds " +
                                std::to_string(params_.size()));
  std::map<std::string, const ParameterRef*> by_name;
  for (const ParameterRef& r : params) {
    if (!r.value || !r.grad) throw std::invalid_argument("optimizer: parameter \"" + r.name + "\" without tensor or gradient");
    if (!by_name.emplace(r.name, &r).second) throw std::invalid_argument("optimizer: parameter \"" + r.name + "\" given twice");
  }
  for (const ParameterSpec& p : params_) {
    const auto it = by_name.find(p.name);
    if (it == by_name.end()) throw std::invalid_argument("optimizer: step without parameter \"" + p.name + "\"");
    if (it->second->value->shape() != p.shape || it->second->grad->shape() != p.shape)
      throw std::invalid_argument("optimizer: parameter \"" + p.name + "\" " + it->second->value->shape_string() +
                                  " / gradient " + it->second->grad->shape_string() + " differ from " + shape_text(p.shape));
  }
  ++state_.steps;
  for (const ParameterSpec& p : params_) {
    std::vector<Tensor*> buffers;
    for (const std::string& b : buffer_names_) buffers.push_back(&state_.buffers.at(buffer_key(b, p.name)));
    const ParameterRef& r = *by_name.at(p.name);
    update(*r.value, *r.grad, buffers, state_.steps);
  }
}

void Optimizer::load_state(OptimizerState state) {
  if (state.steps < 0) throw std::invalid_argument("optimizer: negative step count in the state");
  if (state.buffers.size() != state_.buffers.size())
    throw std::invalid_argument("optimizer: state holds " + std::to_string(state.buffers.size()) + " buffers, expected " +
                                std::to_string(state_.buffers.size()));
  for (const auto& [key, t] : state_.buffers) {
    const auto it = state.buffers.find(key);
    if (it == state.buffers.end()) throw std::invalid_argument("optimizer: state without buffer \"" + key + "\"");
    if (it->second.shape() != t.shape())
      throw std::invalid_argument("optimizer: buffer \"" + key + "\" " + it->second.shape_string() +
                                  " differs from the parameter's shape " + t.shape_string());
  }
  state_ = std::move(state);
}

}  // namespace accsim
