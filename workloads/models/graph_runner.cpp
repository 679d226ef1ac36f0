#include "workloads/models/graph_runner.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "workloads/models/array_runner.h"
#include "workloads/models/fusion_memo.h"
#include "workloads/models/int_inputs.h"
#include "workloads/models/operators.h"
#include "workloads/models/row_chain.h"

namespace accsim {

namespace {

void run_node(const Graph& g, const Node& node, std::map<std::string, Tensor>& values, ArrayRunner& array,
              Tensor* consumable, const Node* fused_relu = nullptr) {
  const OperatorDef* def = find_operator(node.op);
  if (!def) throw std::logic_error("node " + node.name + ": operator " + node.op + " has no implementation");
  OperatorContext c = make_context(g, node, array, [&](const std::string& name) -> const Tensor* {
    if (const auto v = values.find(name); v != values.end()) return &v->second;
    const auto p = g.initializers.find(name);
    return p != g.initializers.end() ? &p->second : nullptr;
  });
  c.consumable = consumable;
  c.fused_relu = fused_relu;
  std::vector<Tensor> out = def->run(c);
  if (out.size() < node.outputs.size())
    throw std::logic_error("node " + node.name + " (" + node.op + ") produced too few outputs");
  for (std::size_t i = 0; i < node.outputs.size(); ++i) {
    if (node.outputs[i].empty()) continue;
    if (out[i].shape() != g.shape_of(node.outputs[i]))
      throw std::logic_error("node " + node.name + " (" + node.op + ") produced " + out[i].shape_string() +
                             " where shape inference says " + Tensor(g.shape_of(node.outputs[i])).shape_string());
    values[node.outputs[i]] = std::move(out[i]);
  }
}

// Input 0's value when this node (index) is the last to read it, else nullptr (graph
// outputs are read after every node; initializers are not values).
Tensor* consumable_input(const Node& node, std::size_t index, const std::map<std::string, std::size_t>& last,
                         std::map<std::string, Tensor>& values) {
  if (node.inputs.empty()) return nullptr;
  const auto use = last.find(node.inputs[0]);
  const auto v = values.find(node.inputs[0]);
  return use == last.end() || use->second != index || v == values.end() ? nullptr : &v->second;
}

// Nodes whose output is their input's data as it is, shaped as shape inference says.
bool passes_data_through(const std::string& op) {
  static const char* const ops[] = {"Flatten", "Reshape", "Squeeze", "Unsqueeze", "Identity", "Dropout", "Cast"};
  return std::find(std::begin(ops), std::end(ops), op) != std::end(ops);
}

// A node whose data input no later node reads takes that value over (shaped as its
// output) instead of copying it. False when it does not apply.
bool take_over(const Graph& g, const Node& node, std::size_t index, const std::map<std::string, std::size_t>& last,
               std::map<std::string, Tensor>& values) {
  if (node.outputs.empty() || node.outputs[0].empty()) return false;
  Tensor* input = consumable_input(node, index, last, values);
  if (!input) return false;
  const auto v = values.find(node.inputs[0]);
  Tensor moved = std::move(*input).reshaped(g.shape_of(node.outputs[0]));
  values.erase(v);
  values[node.outputs[0]] = std::move(moved);
  return true;
}

// One run's state; `plan` null for a recording run (nothing fused, every value kept).
struct Run {
  const Graph& g;
  std::map<std::string, Tensor>& values;
  const std::map<std::string, std::size_t>& last;
  ArrayRunner& array;
  const FusionPlan* plan;
};

void run_alone(Run& r, std::size_t i) {
  const Node& node = r.g.nodes[i];
  if (!r.plan) return run_node(r.g, node, r.values, r.array, nullptr);
  // The operator would copy a const input: a pass-through node takes it over.
  if (!passes_data_through(node.op) || !take_over(r.g, node, i, r.last, r.values))
    run_node(r.g, node, r.values, r.array, consumable_input(node, i, r.last, r.values));
}

void run_conv_with_relu(Run& r, std::size_t i) {
  const Node& node = r.g.nodes[i];
  run_node(r.g, node, r.values, r.array, consumable_input(node, i, r.last, r.values), &r.g.nodes[r.plan->nodes[i].partner]);
}

// The conv applied this Relu: its output is the conv's, handed on.
void hand_on_relu(Run& r, std::size_t i) {
  if (!take_over(r.g, r.g.nodes[i], i, r.last, r.values))
    throw std::logic_error("node " + r.g.nodes[i].name + ": a fused Relu's input is read elsewhere");
}

void run_chain(Run& r, std::size_t i) {
  const FusedChain& fused = r.plan->chains[r.plan->nodes[i].partner];
  Tensor& x = r.values.at(fused.chain.input);
  Tensor y = run_row_chain(fused.chain, x, r.g.initializers, r.array.host_threads(), fused.input_consumable ? &x : nullptr);
  r.values[fused.chain.output] = std::move(y);
}

void skip(Run&, std::size_t) {}  // a later node of a chain its head ran

using NodeStep = void (*)(Run&, std::size_t);
// By NodeFusion::Role.
constexpr NodeStep kNodeSteps[] = {run_alone, run_conv_with_relu, hand_on_relu, run_chain, skip};

}  // namespace

GraphRun run_graph(const Graph& graph, const Tensor& input, Engine& engine, bool record, int host_threads) {
  if (graph.inputs.size() != 1) throw std::invalid_argument("run_graph: graphs with exactly one data input are supported");
  if (input.shape() != graph.inputs[0].shape)
    throw std::invalid_argument("run_graph: input " + input.shape_string() + " does not match the graph input " +
                                Tensor(graph.inputs[0].shape).shape_string());
  if (!int_inputs_bound(graph)) throw std::invalid_argument("run_graph: an int64 input is not bound (bind_int_inputs)");
  ArrayRunner array(engine, record);
  array.set_host_threads(host_threads > 0 ? host_threads : engine.threads());
  std::map<std::string, Tensor> values{{graph.inputs[0].name, input}};
  static const std::map<std::string, std::size_t> keep_all;  // a recording run frees no value
  const std::shared_ptr<const FusionMemo> fusion = record ? nullptr : fusion_plan(graph);
  const auto& last = record ? keep_all : fusion->last_uses;
  Run r{graph, values, last, array, record ? nullptr : &fusion->plan};
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    if (record) {
      run_alone(r, i);
      continue;
    }
    kNodeSteps[static_cast<int>(r.plan->nodes[i].role)](r, i);
    for (const auto& in : graph.nodes[i].inputs) {
      const auto it = last.find(in);
      if (it != last.end() && it->second == i) values.erase(in);
    }
  }
  GraphRun run;
  for (const auto& out : graph.outputs) run.outputs.push_back(values.at(out));
  run.cycles = array.cycles();
  run.jobs = std::move(array.jobs());
  run.values = std::move(values);
  return run;
}

}  // namespace accsim
