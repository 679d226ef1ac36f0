#include "workloads/training/graph_trainer.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_import.h"
#include "workloads/models/relu_clip.h"
#include "workloads/training/training_epochs.h"

namespace accsim {

namespace {

// The trainer's parameters and state in a graph's initializers for one step: swapped in,
// not copied (a quarter megabyte a step for LeNet-5), and swapped back when it ends.
class Lent {
 public:
  Lent(Graph& graph, std::initializer_list<TensorMap*> maps) : graph_(graph), maps_(maps) { swap(); }
  ~Lent() { swap(); }
  Lent(const Lent&) = delete;
  Lent& operator=(const Lent&) = delete;

 private:
  void swap() {
    for (TensorMap* m : maps_)
      for (auto& [name, t] : *m) std::swap(t, graph_.initializers[name]);
  }
  Graph& graph_;
  std::vector<TensorMap*> maps_;
};

}  // namespace

GraphTrainer::GraphTrainer(std::string model, const ActivationClip& clip)
    : GraphTrainer([model = std::move(model), clip](int batch) {
        Graph g = load_onnx_model(model, batch);
        set_relu_clips(g, clip);
        return g;
      }) {}

GraphTrainer::GraphTrainer(GraphSource source) : source_(std::move(source)) {
  const Graph& g = graph(1);
  names_ = trainable_parameters(g);
  for (const auto& name : names_) parameters_[name] = g.initializers.at(name);
  // Initializers neither trained nor constant are state (BatchNormalization's running statistics).
  for (const auto& [name, t] : g.initializers)
    if (!parameters_.count(name) && !g.constants.count(name)) state_[name] = t;
}

std::vector<ParameterSpec> GraphTrainer::parameter_specs() const {
  std::vector<ParameterSpec> specs;
  for (const auto& name : names_) specs.push_back({name, parameters_.at(name).shape()});
  return specs;
}

Graph& GraphTrainer::model(int batch) {
  auto it = graphs_.find(batch);
  if (it == graphs_.end()) it = graphs_.emplace(batch, source_(batch)).first;
  return it->second;
}

const Graph& GraphTrainer::graph(int batch) {
  Graph& g = model(batch);
  for (const auto* values : {&parameters_, &state_})
    for (const auto& [name, t] : *values) g.initializers[name] = t;
  return g;
}

StepResult GraphTrainer::train_step(const Tensor& images, const std::vector<int>& labels, Engine& engine,
                                    Optimizer& optimizer, long long& cycle) {
  GraphGradientOptions options;
  options.start_cycle = cycle;
  GraphGradients g;
  {
    Graph& m = model(images.dim(0));
    const Lent lent(m, {&parameters_, &state_});
    g = graph_gradients(m, images, labels, engine, options);
  }
  update_parameters(optimizer, names_, parameters_, g.parameters);
  for (const auto& [name, mask] : held_at_zero_) {
    Tensor& t = parameters_.at(name);
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (mask[i]) t[i] = 0.0f;
  }
  for (auto& [name, t] : g.state) state_[name] = std::move(t);
  cycle += g.cycles;
  StepResult r;
  r.loss = std::move(g.loss);
  r.cycles = g.cycles;
  return r;
}

double GraphTrainer::accuracy(const LabelledImages& data, Engine& engine, int batch) {
  const int n = data.images.dim(0);
  const std::vector<int> order = identity_order(n);
  long long correct = 0;
  for (int first = 0; first < n; first += batch) {
    const auto count = static_cast<std::size_t>(std::min(batch, n - first));
    const Tensor images = gather(data.images, order, static_cast<std::size_t>(first), count);
    const GraphRun run = run_graph(graph(static_cast<int>(count)), images, engine, false);
    const Tensor logits = run.outputs[0].reshaped({static_cast<int>(count), static_cast<int>(run.outputs[0].size() / count)});
    correct += softmax_cross_entropy(logits, gather_labels(data.labels, order, static_cast<std::size_t>(first), count)).correct;
  }
  return static_cast<double>(correct) / n;
}

void update_parameters(Optimizer& optimizer, const std::vector<std::string>& names, TensorMap& params,
                       const TensorMap& grads) {
  std::vector<ParameterRef> refs;
  for (const auto& name : names) refs.push_back({name, &params.at(name), &grads.at(name)});
  optimizer.step(refs);
}

}  // namespace accsim
