#pragma once
// The chain trainer: a test reference, no longer a training loop of accsim's (`accsim
// train` runs every model as a graph, workloads/training/graph_trainer.h). It walks a
// layer chain (workloads/models/network.h) with its own code for every layer, so the
// graph trainer's steps are checked against an independent implementation.
//
// One training step of a network on the simulated array: every conv and linear layer's
// forward, backward-data and backward-weight pass runs as an array job through the
// engine (arch/pass_lowering.h), with the engine's faults active in every pass; bias,
// ReLU, max-pool and the loss run on the host. Jobs run back to back on one timeline
// of run cycles, so a transient fault strikes the one job its cycle falls in.
#include <vector>

#include "arch/engine.h"
#include "kernels/optimizer.h"
#include "workloads/models/network.h"
#include "workloads/training/step_result.h"

namespace accsim {

struct Gradients {
  std::vector<Tensor> weights, biases;  // shaped like the parameters
};

class Trainer {
 public:
  // `params` and `engine` must outlive the trainer.
  Trainer(const Network& net, NetworkParameters& params, Engine& engine);

  // Forward and backward on a batch ([n, c, h, w] images, n labels), then nothing else:
  // the gradients are left in gradients(). `cycle` is the run cycle the step starts at;
  // it is advanced past the step's jobs.
  StepResult forward_backward(const Tensor& images, const std::vector<int>& labels, long long& cycle);
  const Gradients& gradients() const { return grads_; }

  // Weights under these [k, c, r, s] masks (per layer) are set back to zero after every
  // optimizer step (fault-aware pruning, workloads/mitigations/fault_aware_pruning.h).
  void hold_at_zero(std::vector<std::vector<std::uint8_t>> masks) { held_at_zero_ = std::move(masks); }

  // forward_backward, then one optimizer step on every weight and bias (at the optimizer's
  // current learning rate: a schedule sets it before the call).
  StepResult train_step(const Tensor& images, const std::vector<int>& labels, Optimizer& optimizer, long long& cycle);

  // The parameters the optimizer updates: "<layer>.weight" of every layer, then "<layer>.bias".
  static std::vector<ParameterSpec> parameter_specs(const Network& net, const NetworkParameters& params);

 private:
  struct LayerCache {
    ConvJob job;
    Tensor input;              // the job's streamed operand [n, c, h, w]
    Tensor pre_activation;     // after bias, before ReLU
    std::vector<int> pooled_from;        // shape before pooling
    std::vector<std::size_t> pool_argmax;
    std::vector<int> output_shape;       // what the next layer receives (before flattening)
  };
  JobResult run(const ConvJob& job, const Tensor& streamed, const Tensor& stationary, long long& cycle, StepResult& r);

  const Network& net_;
  NetworkParameters& params_;
  Engine& engine_;
  std::vector<LayerCache> cache_;
  Gradients grads_;
  std::vector<std::vector<std::uint8_t>> held_at_zero_;
};

}  // namespace accsim
