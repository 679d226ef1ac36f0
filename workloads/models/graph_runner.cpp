#include "workloads/models/graph_runner.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "workloads/models/array_runner.h"
#include "workloads/models/int_inputs.h"
#include "workloads/models/operators.h"

namespace accsim {

namespace {

// For each value, the index of the last node that reads it (outputs: never freed).
std::map<std::string, std::size_t> last_uses(const Graph& g) {
  std::map<std::string, std::size_t> last;
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    for (const auto& in : g.nodes[i].inputs) last[in] = i;
  for (const auto& out : g.outputs) last[out] = g.nodes.size();
  return last;
}

void run_node(const Graph& g, const Node& node, std::map<std::string, Tensor>& values, ArrayRunner& array,
              Tensor* consumable) {
  const OperatorDef* def = find_operator(node.op);
  if (!def) throw std::logic_error("node " + node.name + ": operator " + node.op + " has no implementation");
  OperatorContext c = make_context(g, node, array, [&](const std::string& name) -> const Tensor* {
    if (const auto v = values.find(name); v != values.end()) return &v->second;
    const auto p = g.initializers.find(name);
    return p != g.initializers.end() ? &p->second : nullptr;
  });
  c.consumable = consumable;
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

// Such a node whose data input no later node reads takes that value over instead of
// copying it (the operator would copy a const input). False when it does not apply.
bool move_through(const Graph& g, const Node& node, std::size_t index, const std::map<std::string, std::size_t>& last,
                  std::map<std::string, Tensor>& values) {
  if (!passes_data_through(node.op) || node.outputs.empty() || node.outputs[0].empty()) return false;
  Tensor* input = consumable_input(node, index, last, values);
  if (!input) return false;
  const auto v = values.find(node.inputs[0]);
  Tensor moved = std::move(*input).reshaped(g.shape_of(node.outputs[0]));
  values.erase(v);
  values[node.outputs[0]] = std::move(moved);
  return true;
}

}  // namespace

GraphRun run_graph(const Graph& graph, const Tensor& input, Engine& engine, bool record, int host_threads) {
  if (graph.inputs.size() != 1) throw std::invalid_argument("run_graph: graphs with exactly one data input are supported");
  if (input.shape() != graph.inputs[0].shape)
    throw std::invalid_argument("run_graph: input " + input.shape_string() + " does not match the graph input " +
                                Tensor(graph.inputs[0].shape).shape_string());
  if (!int_inputs_bound(graph)) throw std::invalid_argument("run_graph: an int64 input is not bound (bind_int_inputs)");
  const auto last = last_uses(graph);
  ArrayRunner array(engine, record);
  array.set_host_threads(host_threads > 0 ? host_threads : engine.threads());
  std::map<std::string, Tensor> values{{graph.inputs[0].name, input}};
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (record || !move_through(graph, node, i, last, values))
      run_node(graph, node, values, array, record ? nullptr : consumable_input(node, i, last, values));
    if (record) continue;
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
