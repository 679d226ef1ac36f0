#include "workloads/models/incremental_run.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "workloads/models/array_runner.h"
#include "workloads/models/operators.h"
#include "workloads/models/plane_rerun_engine.h"

namespace accsim {

namespace {

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

struct RerunState {
  const Graph& graph;
  const GraphRun& golden;
  const RerunScope& scope;
  Rerun result;

  bool differs(const std::string& value) const {
    return result.changed.count(value) || scope.changed_initializers.count(value);
  }
  const Tensor* recorded(const std::string& name) const {
    if (scope.recorded) return scope.recorded->find(name);
    const auto it = golden.values.find(name);
    return it != golden.values.end() ? &it->second : nullptr;
  }
  const Tensor* value(const std::string& name) const {
    if (const auto it = result.changed.find(name); it != result.changed.end()) return &it->second;
    if (const auto it = graph.initializers.find(name); it != graph.initializers.end()) return &it->second;
    return recorded(name);
  }
};

bool needs_recompute(const RerunState& s, const Node& node, const OperatorDef& def) {
  for (const auto& in : node.inputs)
    if (!in.empty() && s.differs(in)) return true;
  return def.on_array && s.scope.engine_touches(node);
}

// Tells the plane engine, for an array node's run, which of its inputs 0 (the jobs' input)
// and 1 (their stationary operand) equal the record's; forgets it afterwards.
class OperandHint {
 public:
  OperandHint(const RerunState& s, const Node& node, const OperatorDef& def)
      : planes_(def.on_array ? s.scope.planes : nullptr) {
    const auto same = [&](std::size_t i) { return i < node.inputs.size() && !s.differs(node.inputs[i]); };
    if (planes_) planes_->expect({same(0), same(1)});
  }
  ~OperandHint() {
    if (planes_) planes_->expect({});
  }
  OperandHint(const OperandHint&) = delete;
  OperandHint& operator=(const OperandHint&) = delete;

 private:
  PlaneRerunEngine* planes_;
};

void recompute(RerunState& s, const Node& node, const OperatorDef& def, ArrayRunner& array, long long start) {
  OperatorContext c = make_context(s.graph, node, array, [&](const std::string& name) { return s.value(name); });
  array.set_cycle(start);
  std::vector<Tensor> out;
  {
    const OperandHint hint(s, node, def);
    out = def.run(c);
  }
  ++s.result.recomputed_nodes;
  for (std::size_t i = 0; i < node.outputs.size(); ++i) {
    const std::string& name = node.outputs[i];
    if (name.empty()) continue;
    const Tensor* g = s.recorded(name);
    if (!g) throw std::invalid_argument("rerun_graph: the fault-free run did not record " + name);
    if (!same_bits(out[i], *g)) s.result.changed[name] = std::move(out[i]);
  }
}

}  // namespace

std::map<std::string, std::pair<long long, long long>> node_cycle_windows(const GraphRun& run) {
  std::map<std::string, std::pair<long long, long long>> windows;
  for (const LayerRun& job : run.jobs) {
    auto [it, fresh] = windows.try_emplace(job.node, job.start_cycle, job.start_cycle + job.timing.cycles);
    if (!fresh) it->second.second = job.start_cycle + job.timing.cycles;
  }
  return windows;
}

std::vector<long long> node_start_cycles(const Graph& graph, const GraphRun& run) {
  const auto windows = node_cycle_windows(run);
  std::vector<long long> starts(graph.nodes.size(), 0);
  for (std::size_t i = 0; i < graph.nodes.size(); ++i)
    if (const auto w = windows.find(graph.nodes[i].name); w != windows.end()) starts[i] = w->second.first;
  return starts;
}

std::size_t first_reader(const Graph& graph, const std::set<std::string>& values) {
  const auto reads = [&](const Node& node) {
    return std::any_of(node.inputs.begin(), node.inputs.end(), [&](const std::string& in) { return values.count(in) > 0; });
  };
  return static_cast<std::size_t>(std::find_if(graph.nodes.begin(), graph.nodes.end(), reads) - graph.nodes.begin());
}

std::vector<const OperatorDef*> node_operators(const Graph& graph) {
  std::vector<const OperatorDef*> ops;
  for (const Node& node : graph.nodes) ops.push_back(find_operator(node.op));
  return ops;
}

Rerun rerun_nodes(const Graph& graph, const GraphRun& golden, Engine& engine, const RerunScope& scope, std::size_t end) {
  RerunState s{graph, golden, scope, {}};
  std::vector<long long> own;
  if (!scope.node_starts) own = node_start_cycles(graph, golden);
  const std::vector<long long>& starts = scope.node_starts ? *scope.node_starts : own;
  std::vector<const OperatorDef*> own_ops;
  if (!scope.operators) own_ops = node_operators(graph);
  const std::vector<const OperatorDef*>& ops = scope.operators ? *scope.operators : own_ops;
  ArrayRunner array(engine, false);
  for (std::size_t i = scope.first_node; i < std::min(end, graph.nodes.size()); ++i) {
    const Node& node = graph.nodes[i];
    const OperatorDef* def = ops.at(i);
    if (!def) throw std::logic_error("rerun_graph: no implementation of " + node.op);
    if (!needs_recompute(s, node, *def)) continue;
    recompute(s, node, *def, array, starts.at(i));
  }
  return std::move(s.result);
}

Rerun rerun_graph(const Graph& graph, const GraphRun& golden, Engine& engine, const RerunScope& scope) {
  Rerun r = rerun_nodes(graph, golden, engine, scope, graph.nodes.size());
  for (const auto& out : graph.outputs) {
    const auto c = r.changed.find(out);
    r.outputs.push_back(c != r.changed.end() ? c->second : golden.values.at(out));
  }
  return r;
}

}  // namespace accsim
