#include "workloads/models/incremental_run.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "kernels/activations.h"
#include "workloads/models/array_runner.h"
#include "workloads/models/changed_planes.h"
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
    return result.changed.count(value) || result.patches.count(value) || scope.changed_initializers.count(value);
  }
  const Tensor* recorded(const std::string& name) const {
    if (scope.recorded) return scope.recorded->find(name);
    const auto it = golden.values.find(name);
    return it != golden.values.end() ? &it->second : nullptr;
  }
  // A value a node reads whole (a patch is put together with the record once).
  const Tensor* value(const std::string& name) {
    if (const auto it = result.changed.find(name); it != result.changed.end()) return &it->second;
    if (result.patches.count(name)) return &put_together(name);
    if (const auto it = graph.initializers.find(name); it != graph.initializers.end()) return &it->second;
    return recorded(name);
  }
  // Moves the patch `name` into `changed`, whole.
  Tensor& put_together(const std::string& name);
};

Tensor& RerunState::put_together(const std::string& name) {
  const auto patch = result.patches.find(name);
  Tensor& whole = result.changed[name] = with_planes(*recorded(name), std::move(patch->second), result.planes.at(name));
  result.patches.erase(patch);
  return whole;
}

bool needs_recompute(const RerunState& s, const Node& node, const OperatorDef& def) {
  for (const auto& in : node.inputs)
    if (!in.empty() && s.differs(in)) return true;
  return def.on_array && s.scope.engine_touches(node);
}

// Tells the plane engine, for an array node's run, which of its inputs 0 (the jobs' input)
// and 1 (their stationary operand) equal the record's, and whether the caller reads only
// the planes a region computes; forgets it afterwards.
class OperandHint {
 public:
  OperandHint(const RerunState& s, const Node& node, const OperatorDef& def, bool planes_only = false)
      : planes_(def.on_array ? s.scope.planes : nullptr) {
    if (!planes_) return;
    const auto same = [&](std::size_t i) { return i < node.inputs.size() && !s.differs(node.inputs[i]); };
    PlaneRerunEngine::SameOperands operands{same(0), same(1), planes_only, {}};
    // A Conv's jobs take its input's images as they are (padded at most).
    const auto planes = s.result.planes.find(node.inputs[0]);
    if (node.op == "Conv" && planes != s.result.planes.end())
      operands.dirty_images = images_of(planes->second, s.recorded(node.inputs[0])->shape());
    planes_->expect(std::move(operands));
  }
  ~OperandHint() {
    if (planes_) planes_->expect({});
  }
  // PlaneRerunEngine::computed_planes.
  std::optional<PlaneList> computed_planes() const { return planes_ ? planes_->computed_planes() : std::nullopt; }
  OperandHint(const OperandHint&) = delete;
  OperandHint& operator=(const OperandHint&) = delete;

 private:
  PlaneRerunEngine* planes_;
};

const Tensor& recorded_output(const RerunState& s, const std::string& name) {
  const Tensor* g = s.recorded(name);
  if (!g) throw std::invalid_argument("rerun_graph: the fault-free run did not record " + name);
  return *g;
}

// Keeps `out` as the value `name` when it differs from the record `g`; a value of planes
// with the planes that differ.
void keep_if_changed(RerunState& s, const std::string& name, Tensor out, const Tensor& g) {
  if (plane_count(out.shape()) == 0 || out.shape() != g.shape()) {
    if (!same_bits(out, g)) s.result.changed[name] = std::move(out);
    return;
  }
  PlaneList differ = differing_planes(out, g);
  if (differ.empty()) return;
  s.result.changed[name] = std::move(out);
  s.result.planes[name] = std::move(differ);
}

void recompute(RerunState& s, const Node& node, const OperatorDef& def, ArrayRunner& array, long long start) {
  OperatorContext c = make_context(s.graph, node, array, [&](const std::string& name) { return s.value(name); });
  array.set_cycle(start);
  std::vector<Tensor> out;
  {
    const OperandHint hint(s, node, def);
    out = def.run(c);
  }
  ++s.result.recomputed_nodes;
  for (std::size_t i = 0; i < node.outputs.size(); ++i)
    if (!node.outputs[i].empty())
      keep_if_changed(s, node.outputs[i], std::move(out[i]), recorded_output(s, node.outputs[i]));
}

// The planes in which a plane-local node's input differs from the record, when the rerun
// knows them; null otherwise.
const PlaneList* input_planes(const RerunState& s, const Node& node) {
  if (!plane_local(node) || node.outputs[0].empty()) return nullptr;
  const auto it = s.result.planes.find(node.inputs[0]);
  if (it == s.result.planes.end()) return nullptr;
  const Tensor* in = s.recorded(node.inputs[0]);
  const Tensor* out = s.recorded(node.outputs[0]);
  return in && out && plane_count(in->shape()) == plane_count(out->shape()) ? &it->second : nullptr;
}

// Keeps `y` (planes `planes` of the node's output, stacked) as a patch of the rows that
// differ from the record.
void keep_patch(RerunState& s, const std::string& name, Tensor y, const PlaneList& planes) {
  const std::vector<std::size_t> rows = differing_rows(y, recorded_output(s, name), planes);
  if (rows.empty()) return;
  PlaneList differ;
  for (const std::size_t row : rows) differ.push_back(planes[row]);
  s.result.patches[name] = keep_rows(std::move(y), rows);
  s.result.planes[name] = std::move(differ);
}

// A plane-local node run on `planes` of its input alone: its other planes are the record's.
void recompute_planes(RerunState& s, const Node& node, const OperatorDef& def, ArrayRunner& array,
                      const PlaneList& planes) {
  // The input's planes stacked: its patch, or the value itself when every plane differs
  // (the same words in the same order), else gathered.
  const auto patch = s.result.patches.find(node.inputs[0]);
  const Tensor* stacked = patch != s.result.patches.end() ? &patch->second : s.value(node.inputs[0]);
  Tensor gathered;
  if (patch == s.result.patches.end() && planes.size() < plane_count(stacked->shape()))
    stacked = &(gathered = gather_planes(*stacked, planes));
  OperatorContext c = make_context(s.graph, node, array, [&](const std::string&) { return stacked; });
  std::vector<Tensor> y = def.run(c);
  ++s.result.recomputed_nodes;
  keep_patch(s, node.outputs[0], std::move(y.at(0)), planes);
}

// Whether a Conv node runs as one job (group 1, no dilation: ArrayRunner::conv) whose
// output planes the plane engine can tell, with the record's bias, if it has one.
bool conv_on_planes(const RerunState& s, const Node& node) {
  return s.scope.planes && node.op == "Conv" && node.get_int("group", 1) == 1 &&
         node.get_ints("dilations", {1, 1}) == std::vector<long long>{1, 1} && !node.outputs[0].empty() &&
         (node.input(2).empty() || !s.differs(node.input(2)));
}

// Such a Conv node: when its job runs as a region, only the region's planes get the bias
// (per channel, as run_conv adds it) and are compared, and its value is their patch;
// otherwise the whole output gets it, as in run_conv.
void recompute_conv_planes(RerunState& s, const Node& node, const OperatorDef& def, ArrayRunner& array, long long start) {
  OperatorContext c = make_context(s.graph, node, array, [&](const std::string& name) { return s.value(name); });
  const Tensor* bias = c.inputs.size() > 2 ? c.inputs[2] : nullptr;
  if (bias) c.inputs[2] = nullptr;  // added here
  array.set_cycle(start);
  Tensor out;
  std::optional<PlaneList> computed;
  {
    const OperandHint hint(s, node, def, true);
    out = std::move(def.run(c).at(0));
    computed = hint.computed_planes();
  }
  ++s.result.recomputed_nodes;
  const std::string& name = node.outputs[0];
  if (!computed) {
    if (bias) add_bias(out, *bias, array.host_threads());
    keep_if_changed(s, name, std::move(out), recorded_output(s, name));
    return;
  }
  Tensor stacked = gather_planes(out, *computed);
  if (bias) add_bias(stacked, plane_channel_values(*bias, *computed), array.host_threads());
  keep_patch(s, name, std::move(stacked), *computed);
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
    if (const PlaneList* planes = input_planes(s, node)) recompute_planes(s, node, *def, array, *planes);
    else if (conv_on_planes(s, node)) recompute_conv_planes(s, node, *def, array, starts.at(i));
    else recompute(s, node, *def, array, starts.at(i));
  }
  std::vector<std::string> whole;  // the patches a caller reads whole
  for (const auto& patch : s.result.patches)
    if (!scope.keep_patches || graph.is_output(patch.first)) whole.push_back(patch.first);
  for (const std::string& name : whole) s.put_together(name);
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
