#include "workloads/training/graph_backward.h"

#include <algorithm>
#include <deque>
#include <set>
#include <stdexcept>

#include "kernels/pooling.h"
#include "kernels/task_lane.h"
#include "workloads/models/array_runner.h"
#include "workloads/models/operator_table.h"
#include "workloads/models/operators.h"
#include "workloads/models/relu_clip.h"
#include "workloads/training/operator_gradients.h"

namespace accsim {

namespace {

using Values = std::map<std::string, Tensor>;

const GradientDef& gradient_of(const Node& node) {
  const GradientDef* def = find_gradient(node.op);
  if (!def) throw std::invalid_argument("node " + node.name + ": operator " + node.op + " has no backward pass");
  return *def;
}

// One step's state: the forward values, the array and the gradients reaching each value.
struct Step {
  const Graph& graph;
  ArrayRunner& array;
  const GraphGradientOptions& options;
  const Tensor& images;  // the graph input's value (read in place, not copied into values)
  Values values;
  Values grads;
  std::set<std::string> requires_grad;  // values whose gradient some parameter needs
  GraphGradients result;
  std::set<std::string> read_once;  // parameters one node input reads (their gradient has one term)
  std::deque<std::pair<std::string, Tensor>> later;  // parameter gradients that arrive at the lane's wait
  // With a lane: gradients consumed, erased after the lane's wait (its tasks read them).
  bool keep_consumed = false;
  std::vector<std::string> consumed;
  std::set<std::string> writable;  // forward values the one node reading them may write over
  std::map<const Node*, const Node*> fused;  // MaxPool -> the Relu before it (pools_after_relu)

  OperatorContext context(const Node& node) {
    return make_context(graph, node, array, [this](const std::string& name) -> const Tensor* {
      if (const auto v = values.find(name); v != values.end()) return &v->second;
      if (name == graph.inputs[0].name) return &images;
      const auto p = graph.initializers.find(name);
      return p != graph.initializers.end() ? &p->second : nullptr;
    });
  }
};

void forward_node(Step& s, const Node& node) {
  const GradientDef& grad = gradient_of(node);
  OperatorContext c = s.context(node);
  const auto own = node.inputs.empty() || !s.writable.count(node.inputs[0]) ? s.values.end() : s.values.find(node.inputs[0]);
  if (own != s.values.end()) c.consumable = &own->second;
  std::vector<Tensor> out = s.options.training && grad.train_forward ? grad.train_forward(c, s.result.state)
                                                                     : find_operator(node.op)->run(c);
  if (own != s.values.end()) s.values.erase(own);  // written over (or not): no backward pass reads it
  bool depends = false;
  for (const auto& in : node.inputs) depends = depends || s.requires_grad.count(in) > 0;
  for (std::size_t i = 0; i < node.outputs.size() && i < out.size(); ++i) {
    if (node.outputs[i].empty()) continue;
    if (out[i].shape() != s.graph.shape_of(node.outputs[i]))
      throw std::logic_error("node " + node.name + " (" + node.op + ") produced " + out[i].shape_string() +
                             " where shape inference says " + Tensor(s.graph.shape_of(node.outputs[i])).shape_string());
    if (depends) s.requires_grad.insert(node.outputs[i]);
    s.values[node.outputs[i]] = std::move(out[i]);
  }
}

// How many node inputs read each value.
std::map<std::string, int> read_counts(const Graph& graph) {
  std::map<std::string, int> reads;
  for (const auto& node : graph.nodes)
    for (const auto& in : node.inputs) ++reads[in];
  return reads;
}

// MaxPool nodes that alone read an unclipped Relu's output (the Relu's backward pass reads
// that output, not its input): the pool's backward pass gives the Relu input's gradient
// at once (max_pool_relu_backward, one pass instead of two); the Relu's backward pass then
// finds no gradient and does nothing.
std::map<const Node*, const Node*> pools_after_relu(const Graph& graph) {
  const std::map<std::string, int> reads = read_counts(graph);
  std::map<std::string, const Node*> relu_of;  // an unclipped Relu's output -> the Relu
  for (const auto& node : graph.nodes)
    if (node.op == "Relu" && relu_clip(node).mode == ClipMode::none) relu_of[node.outputs[0]] = &node;
  std::map<const Node*, const Node*> fused;
  for (const auto& node : graph.nodes) {
    if (node.op != "MaxPool" || node.inputs.empty() || (node.outputs.size() > 1 && !node.outputs[1].empty())) continue;
    const auto relu = relu_of.find(node.inputs[0]);
    if (relu != relu_of.end() && reads.at(relu->first) == 1 && !graph.is_output(relu->first)) fused[&node] = relu->second;
  }
  return fused;
}

void accumulate(Values& grads, const std::string& name, Tensor g) {
  auto it = grads.find(name);
  if (it == grads.end()) {
    grads.emplace(name, std::move(g));
    return;
  }
  if (it->second.shape() != g.shape()) throw std::logic_error("gradient of " + name + ": shapes differ");
  for (std::size_t i = 0; i < g.size(); ++i) it->second[i] += g[i];
}

// The node's output gradients have been used: erased now, or after the lane's wait.
void consume(Step& s, const Node& node) {
  for (const auto& out : node.outputs) {
    if (s.keep_consumed)
      s.consumed.push_back(out);
    else
      s.grads.erase(out);
  }
}

// A MaxPool with the Relu before it (pools_after_relu): dL/d(the Relu's input).
void backward_pool_relu(Step& s, const Node& pool, const Node& relu) {
  const auto g = s.grads.find(pool.outputs[0]);
  if (g == s.grads.end()) return;
  if (s.requires_grad.count(relu.inputs[0]))
    accumulate(s.grads, relu.inputs[0], max_pool_relu_backward(s.values.at(pool.inputs[0]), g->second, pool_window(pool)));
  consume(s, pool);
}

void backward_node(Step& s, const Node& node) {
  if (const auto relu = s.fused.find(&node); relu != s.fused.end()) return backward_pool_relu(s, node, *relu->second);
  std::vector<const Tensor*> grad_outputs, outputs;
  bool reached = false;
  for (const auto& out : node.outputs) {
    const auto g = s.grads.find(out);
    grad_outputs.push_back(g != s.grads.end() ? &g->second : nullptr);
    const auto v = s.values.find(out);
    outputs.push_back(v != s.values.end() ? &v->second : nullptr);
    reached = reached || g != s.grads.end();
  }
  if (!reached) return;
  GradientContext c{s.context(node), outputs, grad_outputs, {}, s.options.training, {}, nullptr};
  for (const auto& in : node.inputs) c.needs.push_back(!in.empty() && s.requires_grad.count(in) > 0);
  if (c.need(1) && s.read_once.count(node.inputs[1])) c.later = &s.later.emplace_back(node.inputs[1], Tensor()).second;
  InputGradients g = gradient_of(node).backward(c);
  if (c.later && g.size() > 1 && g[1]) s.later.pop_back();  // came now: the slot is not needed
  for (std::size_t i = 0; i < node.inputs.size() && i < g.size(); ++i)
    if (g[i] && c.needs[i]) accumulate(s.grads, node.inputs[i], std::move(*g[i]));
  consume(s, node);
}

// The parameters among `params` that exactly one node input reads.
std::set<std::string> read_once(const Graph& graph, const std::vector<std::string>& params) {
  std::map<std::string, int> reads = read_counts(graph);
  std::set<std::string> once;
  for (const auto& name : params)
    if (reads[name] == 1) once.insert(name);
  return once;
}

}  // namespace

std::set<std::string> writable_values(const Graph& graph) {
  std::map<std::string, int> reads = read_counts(graph);
  std::set<std::string> made_unread;  // outputs of nodes whose backward pass does not read them
  for (const auto& node : graph.nodes)
    if (!gradient_of(node).reads_outputs) made_unread.insert(node.outputs.begin(), node.outputs.end());
  std::set<std::string> writable;
  for (const auto& node : graph.nodes) {
    if (node.inputs.empty()) continue;
    const std::string& x = node.inputs[0];
    const auto reads_x = gradient_of(node).reads_input;
    if (reads[x] == 1 && made_unread.count(x) && reads_x && !reads_x(node) && !graph.is_output(x))
      writable.insert(x);
  }
  return writable;
}

std::vector<std::string> trainable_parameters(const Graph& graph) {
  std::set<std::string> state, read;
  for (const auto& node : graph.nodes) {
    const GradientDef* def = find_gradient(node.op);
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      if (def && std::find(def->state_inputs.begin(), def->state_inputs.end(), i) != def->state_inputs.end())
        state.insert(node.inputs[i]);
      else
        read.insert(node.inputs[i]);
    }
  }
  std::vector<std::string> names;
  for (const auto& [name, t] : graph.initializers)
    if (read.count(name) && !state.count(name) && !graph.constants.count(name)) names.push_back(name);
  return names;
}

GraphGradients graph_gradients(const Graph& graph, const Tensor& images, const std::vector<int>& labels, Engine& engine,
                               const GraphGradientOptions& options) {
  if (graph.inputs.size() != 1 || graph.outputs.empty())
    throw std::invalid_argument("graph_gradients: graphs with one data input and an output are supported");
  if (images.shape() != graph.inputs[0].shape)
    throw std::invalid_argument("graph_gradients: input " + images.shape_string() + " does not match the graph input " +
                                Tensor(graph.inputs[0].shape).shape_string());
  for (const auto& node : graph.nodes) gradient_of(node);  // fail before any job runs
  ArrayRunner array(engine, options.record);
  array.set_cycle(options.start_cycle);
  Step s{graph, array, options, images, {}, {}, {}, {}, {}, {}, false, {}, {}, pools_after_relu(graph)};
  if (!options.record) s.writable = writable_values(graph);
  // After s: its destructor waits for the tasks that write s.later. Two lines of work
  // for two threads; more threads keep the pool's wider splits.
  TaskLane lane(engine.threads() == 2 && !options.record);
  s.keep_consumed = lane.beside();
  array.set_lane(&lane);  // inputs live in s.values (or the graph, or images), gradients in s.grads until the wait
  const std::vector<std::string> params = trainable_parameters(graph);
  s.requires_grad.insert(params.begin(), params.end());
  s.read_once = read_once(graph, params);
  for (const auto& node : graph.nodes) forward_node(s, node);

  const Tensor& out = s.values.at(graph.outputs[0]);
  const int batch = images.dim(0);
  s.result.logits = out.reshaped({batch, static_cast<int>(out.size() / batch)});
  s.result.loss = softmax_cross_entropy(s.result.logits, labels);
  s.grads[graph.outputs[0]] = s.result.loss.grad.reshaped(out.shape());
  for (std::size_t i = graph.nodes.size(); i-- > 0;) backward_node(s, graph.nodes[i]);
  lane.wait();
  for (const auto& name : s.consumed) s.grads.erase(name);
  for (auto& [name, g] : s.later)
    if (g.size() > 0) accumulate(s.grads, name, std::move(g));  // the one term of that gradient

  for (const auto& name : params) {
    auto g = s.grads.find(name);
    s.result.parameters[name] = g != s.grads.end() ? std::move(g->second) : Tensor(graph.initializers.at(name).shape());
  }
  s.result.cycles = array.cycles() - options.start_cycle;
  s.result.jobs = std::move(array.jobs());
  return std::move(s.result);
}

}  // namespace accsim
