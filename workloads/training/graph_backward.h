#pragma once
// The graph backward pass: a forward run of the graph (training mode), the softmax
// cross-entropy of its output against labels, and the gradients of every trainable
// parameter, the nodes' backward passes (operator_gradients.h) taken in reverse
// topological order. A value read by several nodes (a residual's fan-out) gets the sum
// of their gradients. Conv, Gemm and MatMul run all three passes as jobs on the engine,
// so a PE fault acts on forward, backward-data and backward-weight alike.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "arch/engine.h"
#include "kernels/loss.h"
#include "workloads/models/graph.h"
#include "workloads/models/inference.h"

namespace accsim {

struct GraphGradientOptions {
  bool training = true;      // BatchNormalization normalises by batch statistics
  bool record = false;       // keep every array job (reports, error models)
  long long start_cycle = 0; // where the step's first job starts on the run's timeline
};

struct GraphGradients {
  CrossEntropyResult loss;
  Tensor logits;                              // the graph output, [batch, classes]
  std::map<std::string, Tensor> parameters;   // dL/dp per trainable parameter (trainable_parameters)
  std::map<std::string, Tensor> state;        // training mode: running statistics after this batch
  std::vector<LayerRun> jobs;                 // every array job in run order (when recorded)
  long long cycles = 0;                       // array cycles of the step
};

// The values that the one node reading them may write over in a training forward pass
// instead of copying them (an unclipped Relu on a Conv's output): read by that node alone
// as its input 0, read by neither its backward pass nor that of the node that made them
// (GradientDef::reads_input, reads_outputs), and not a graph output.
std::set<std::string> writable_values(const Graph& graph);

// The initializers that training updates: every fp32 initializer a node reads that is not
// a constant (a folded Constant) nor state (BatchNormalization's running statistics).
std::vector<std::string> trainable_parameters(const Graph& graph);

// One forward and backward pass over a batch. `images` is the graph's one data input
// (shape as the graph says), `labels` one class per image; the graph's first output must
// hold [batch, classes] logits. Throws std::invalid_argument naming a node whose operator
// has no backward pass.
GraphGradients graph_gradients(const Graph& graph, const Tensor& images, const std::vector<int>& labels, Engine& engine,
                               const GraphGradientOptions& options = {});

}  // namespace accsim
