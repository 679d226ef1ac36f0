#include "workloads/pvf/stacked_remainder.h"

#include <algorithm>
#include <stdexcept>

#include "workloads/models/array_runner.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/operators.h"

namespace accsim {

StackedRemainder::StackedRemainder(const Graph& graph) : graph_(graph), operators_(node_operators(graph)) {
  for (const GraphInput& in : graph.inputs) data_values_.insert(in.name);
  data_node_.assign(graph.nodes.size(), 0);
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    for (const auto& in : node.inputs) {
      if (in.empty()) continue;
      last_read_[in] = i;
      if (data_values_.count(in)) data_node_[i] = 1;
    }
    for (const auto& out : node.outputs) {
      if (out.empty()) continue;
      producer_[out] = i;
      if (data_node_[i]) data_values_.insert(out);
    }
  }
  for (const std::string& v : data_values_) {
    const std::vector<int>& shape = graph.shape_of(v);
    if (shape.empty() || shape[0] != 1) batchable_ = false;
  }
}

std::size_t StackedRemainder::resume_node(const std::set<std::string>& changed) {
  if (changed.size() != 1) return walk_resume(changed);
  // One corrupted initializer is what each SBF experiment asks about: walked once per name.
  const auto [it, fresh] = single_resume_.try_emplace(*changed.begin(), 0);
  if (fresh) it->second = walk_resume(changed);
  return it->second;
}

std::size_t StackedRemainder::walk_resume(const std::set<std::string>& changed) const {
  std::set<std::string> reach = changed;  // the changed parameters and values computed from them alone
  std::size_t resume = 0;
  for (std::size_t i = 0; i < graph_.nodes.size(); ++i) {
    const Node& node = graph_.nodes[i];
    if (std::none_of(node.inputs.begin(), node.inputs.end(), [&](const std::string& in) { return reach.count(in) > 0; }))
      continue;
    resume = i + 1;
    if (!data_node_[i]) reach.insert(node.outputs.begin(), node.outputs.end());
  }
  return resume;
}

bool StackedRemainder::reaches_rest(std::size_t start, const std::map<std::string, Tensor>& changed) const {
  for (const auto& [name, value] : changed) {
    if (std::find(graph_.outputs.begin(), graph_.outputs.end(), name) != graph_.outputs.end()) return true;
    const auto r = last_read_.find(name);
    if (r != last_read_.end() && r->second >= start) return true;
  }
  return false;
}

const Graph& StackedRemainder::shapes_at(int batch) {
  std::unique_ptr<Graph>& g = shapes_[batch];
  if (g) return *g;
  g = std::make_unique<Graph>();
  g->inputs = graph_.inputs;
  for (GraphInput& in : g->inputs) in.shape[0] = batch;
  g->int_constants = graph_.int_constants;
  g->shapes = graph_.shapes;
  for (const std::string& v : data_values_) g->shapes.at(v)[0] = batch;
  return *g;
}

const std::vector<std::string>& StackedRemainder::stacked_inputs(std::size_t start) {
  const auto it = inputs_.find(start);
  if (it != inputs_.end()) return it->second;
  std::vector<std::string>& names = inputs_[start];
  for (const std::string& v : data_values_) {
    const auto p = producer_.find(v);
    if (p != producer_.end() && p->second >= start) continue;  // computed in the stacked run
    const auto r = last_read_.find(v);
    const bool output = std::find(graph_.outputs.begin(), graph_.outputs.end(), v) != graph_.outputs.end();
    if (output || (r != last_read_.end() && r->second >= start)) names.push_back(v);
  }
  return names;
}

namespace {

const Tensor& recorded_value(const StackedMember& member, const std::string& name) {
  if (!member.recorded) return member.golden->values.at(name);
  const Tensor* v = member.recorded->find(name);
  if (!v) throw std::out_of_range("StackedRemainder: the record has no value " + name);
  return *v;
}

}  // namespace

Tensor StackedRemainder::run(std::size_t start, const std::vector<StackedMember>& members, Engine& engine) {
  if (!batchable_) throw std::logic_error("StackedRemainder: the graph " + graph_.name + " is not batchable");
  if (members.empty()) throw std::invalid_argument("StackedRemainder::run: no members");
  const auto batch = static_cast<int>(members.size());
  const Graph& shapes = shapes_at(batch);
  std::map<std::string, Tensor> values;
  for (const std::string& name : stacked_inputs(start)) {
    Tensor x(shapes.shape_of(name), Tensor::uninitialized);  // every member's block copied in
    const std::size_t block = x.size() / members.size();
    for (std::size_t m = 0; m < members.size(); ++m) {
      const auto c = members[m].changed->find(name);
      const Tensor& v = c != members[m].changed->end() ? c->second : recorded_value(members[m], name);
      if (v.size() != block) throw std::logic_error("StackedRemainder: " + name + " differs in size from the batch");
      std::copy_n(v.data(), block, x.data() + m * block);
    }
    values.emplace(name, std::move(x));
  }
  ArrayRunner array(engine, false);
  run_data_nodes(start, shapes, values, *members.front().golden, array, true);
  return values.at(graph_.outputs.at(0));
}

GraphRun StackedRemainder::record(const Tensor& images, const GraphRun& fault_free, Engine& engine) {
  if (!batchable_) throw std::logic_error("StackedRemainder: the graph " + graph_.name + " is not batchable");
  const Graph& shapes = shapes_at(images.dim(0));
  if (images.shape() != shapes.inputs.at(0).shape)
    throw std::invalid_argument("StackedRemainder::record: images " + images.shape_string() + " for input " +
                                Tensor(shapes.inputs.at(0).shape).shape_string());
  GraphRun run;
  run.values.emplace(graph_.inputs.at(0).name, images);
  ArrayRunner array(engine, true);
  run_data_nodes(0, shapes, run.values, fault_free, array, false);  // a record keeps every value
  for (const auto& out : graph_.outputs) run.outputs.push_back(run.values.at(out));
  run.cycles = array.cycles();
  run.jobs = std::move(array.jobs());
  return run;
}

Tensor* StackedRemainder::consumable(const Node& node, std::size_t index, std::map<std::string, Tensor>& values) const {
  if (node.inputs.empty() || node.inputs[0].empty()) return nullptr;
  const std::string& name = node.inputs[0];
  const auto r = last_read_.find(name);
  if (r == last_read_.end() || r->second != index) return nullptr;
  if (std::find(graph_.outputs.begin(), graph_.outputs.end(), name) != graph_.outputs.end()) return nullptr;
  const auto v = values.find(name);
  return v == values.end() ? nullptr : &v->second;
}

void StackedRemainder::run_data_nodes(std::size_t start, const Graph& shapes, std::map<std::string, Tensor>& values,
                                      const GraphRun& fault_free, ArrayRunner& array, bool consume) {
  const int batch = shapes.inputs.at(0).shape.at(0);
  const auto lookup = [&](const std::string& name) -> const Tensor* {  // fault_free: values from parameters alone
    if (const auto v = values.find(name); v != values.end()) return &v->second;
    if (const auto p = graph_.initializers.find(name); p != graph_.initializers.end()) return &p->second;
    const auto g = fault_free.values.find(name);
    return g != fault_free.values.end() ? &g->second : nullptr;
  };
  for (std::size_t i = start; i < graph_.nodes.size(); ++i) {
    if (!data_node_[i]) continue;  // fault-free values computed from parameters alone: recorded
    const Node& node = graph_.nodes[i];
    const OperatorDef* def = operators_[i];
    if (!def) throw std::logic_error("StackedRemainder: no implementation of " + node.op);
    OperatorContext c = make_context(shapes, node, array, lookup);
    if (consume) c.consumable = consumable(node, i, values);
    std::vector<Tensor> out = def->run(c);
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      if (node.outputs[o].empty()) continue;
      if (out[o].shape() != shapes.shape_of(node.outputs[o]))
        throw std::logic_error("StackedRemainder: node " + node.name + " gave " + out[o].shape_string() + " at batch " +
                               std::to_string(batch));
      values[node.outputs[o]] = std::move(out[o]);
    }
  }
}

}  // namespace accsim
