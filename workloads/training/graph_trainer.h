#pragma once
// Training of an ONNX graph model on the simulated array: a step is graph_gradients
// (graph_backward.h: forward, backward-data and backward-weight of every Conv, Gemm and
// MatMul as array jobs with the engine's faults) followed by the parameter update on the
// graph's trainable initializers and the new running statistics of its BatchNorms.
// The graph's batch is static, so the trainer keeps one copy of the model per batch size
// it meets (the last batch of an epoch may be smaller) and gives each the current
// parameters before it runs. The model is an ONNX file or any source of graphs by batch
// (a built-in network: workloads/models/network_graph.h).
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arch/engine.h"
#include "kernels/activations.h"
#include "kernels/optimizer.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/training/graph_backward.h"
#include "workloads/training/step_result.h"

namespace accsim {

using TensorMap = std::map<std::string, Tensor>;
using GraphSource = std::function<Graph(int batch)>;  // the model at this batch, its initial parameters in it

class GraphTrainer {
 public:
  // `model`: the ONNX file; `clip` goes on every Relu (mitigations).
  GraphTrainer(std::string model, const ActivationClip& clip);
  explicit GraphTrainer(GraphSource source);

  // The trainable parameters (by name, sorted) and the state (running statistics).
  TensorMap& parameters() { return parameters_; }
  TensorMap& state() { return state_; }
  const std::vector<std::string>& names() const { return names_; }
  std::vector<ParameterSpec> parameter_specs() const;  // every trainable parameter by name, in names() order
  const Graph& graph(int batch);  // the model at this batch with the current parameters and state

  // Elements under these masks (initializer -> flat mask, graph_pruning.h) are set back to
  // zero after every optimizer step (fault-aware pruning holds pruned weights at zero).
  void hold_at_zero(std::map<std::string, std::vector<std::uint8_t>> masks) { held_at_zero_ = std::move(masks); }

  // One training step; `cycle` is the run cycle it starts at and is advanced past its jobs.
  StepResult train_step(const Tensor& images, const std::vector<int>& labels, Engine& engine, Optimizer& optimizer,
                        long long& cycle);
  // Fraction of `data` classified right (inference: running statistics), `batch` images per run.
  double accuracy(const LabelledImages& data, Engine& engine, int batch);

 private:
  Graph& model(int batch);  // the model at this batch (made on first use), its initializers as they are

  GraphSource source_;
  std::map<int, Graph> graphs_;
  TensorMap parameters_, state_;
  std::vector<std::string> names_;
  std::map<std::string, std::vector<std::uint8_t>> held_at_zero_;
};

// The one place the optimizer meets a graph's parameters: params[n] -= update(grads[n]) for
// every n of `names`, in that order.
void update_parameters(Optimizer& optimizer, const std::vector<std::string>& names, TensorMap& params,
                       const TensorMap& grads);

}  // namespace accsim
