#pragma once
// The optimiser interface: updates named parameter tensors from their gradients, one
// step at a time, at a learning rate the caller may change between steps (a schedule,
// kernels/lr_schedule.h), as a PyTorch param group's lr. Independent of any network:
// the chain trainer and a graph trainer pass their tensors by name.
//
// The state (per-parameter buffers such as momentum or Adam's moments, and the step
// count) is created zeroed at construction for the parameters named there; state() and
// load_state() copy it exactly, so a restored optimiser continues a trajectory bit for bit.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

struct ParameterSpec {
  std::string name;
  std::vector<int> shape;
};

// One parameter of a step: its tensor (updated in place) and its gradient.
struct ParameterRef {
  std::string name;
  Tensor* value = nullptr;
  const Tensor* grad = nullptr;
};

struct OptimizerState {
  std::int64_t steps = 0;                 // steps taken
  std::map<std::string, Tensor> buffers;  // "<buffer>/<parameter name>", e.g. "exp_avg/conv1.weight"
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // Updates every parameter named at construction, each exactly once (any order).
  void step(const std::vector<ParameterRef>& params);

  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr);  // finite, >= 0 (a schedule may decay to 0)
  std::int64_t steps() const { return state_.steps; }

  const OptimizerState& state() const { return state_; }
  // Replaces the state (e.g. from a checkpoint); std::invalid_argument unless it holds
  // exactly this optimiser's buffers with the parameters' shapes and steps >= 0.
  void load_state(OptimizerState state);

 protected:
  // `buffers`: the per-parameter buffer names of this optimiser (e.g. {"momentum_buffer"}).
  Optimizer(const std::vector<ParameterSpec>& params, const std::vector<std::string>& buffers, double lr);

  // One parameter's update; buffers in the order given at construction; `step` is 1-based.
  virtual void update(Tensor& param, const Tensor& grad, const std::vector<Tensor*>& buffers,
                      std::int64_t step) = 0;

 private:
  std::vector<ParameterSpec> params_;
  std::vector<std::string> buffer_names_;
  double lr_;
  OptimizerState state_;
};

}  // namespace accsim
