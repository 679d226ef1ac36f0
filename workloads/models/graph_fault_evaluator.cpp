#include "workloads/models/graph_fault_evaluator.h"

#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "arch/number_format.h"
#include "faultmodels/transient_mapper.h"
#include "workloads/run/engines.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/operators.h"
#include "workloads/models/plane_rerun_engine.h"
#include "workloads/campaign/stuck_at_activity.h"

namespace accsim {

namespace {

// Passes every job on to `inner` and keeps its stationary operand: the fault-free run's
// record of what each PE's weight register held.
class StationaryRecorder : public Engine {
 public:
  explicit StationaryRecorder(Engine& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) override {
    stationary.push_back(weights);
    return inner_.run(job, input, weights, start_cycle);
  }
  JobResult run_encoded(const ConvJob&, const ArrayOperands&, long long) override {
    throw std::logic_error("StationaryRecorder: graph runs hand the array fp32 operands");
  }
  std::vector<Tensor> stationary;

 private:
  Engine& inner_;
};

// Both scans read the words as integers, branch-free, so that they vectorise: every
// experiment scans each recomputed node's output.
long long count_differences(const Tensor& a, const Tensor& b) {
  if (std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0) return 0;
  long long d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d += float_bits(a[i]) != float_bits(b[i]);
  return d;
}

bool any_nonfinite(const float* v, int n) {
  std::uint32_t any = 0;  // an all-ones exponent: NaN or infinity
  for (int i = 0; i < n; ++i) any |= static_cast<std::uint32_t>((float_bits(v[i]) & 0x7f800000u) == 0x7f800000u);
  return any != 0;
}

bool on_array(const Node& node) {
  const OperatorDef* def = find_operator(node.op);
  return def && def->on_array;
}

// Adds the predictions from the faulty logits and counts what they do to `e`.
void classify_logits(const GraphGoldenBatch& g, const Tensor& logits, BatchEffect& e) {
  const int classes = logits.dim(1);
  for (int i = 0; i < g.size(); ++i) {
    const float* row = logits.data() + static_cast<std::size_t>(i) * classes;
    e.predictions.push_back(argmax_row(row, classes));
    e.margins.push_back(logit_margin(row, classes, g.predictions[static_cast<std::size_t>(i)]));
    if (any_nonfinite(row, classes)) ++e.nonfinite_images;
    if (g.correct[static_cast<std::size_t>(i)] && e.predictions.back() != g.labels[static_cast<std::size_t>(i)])
      ++e.correct_to_wrong;
  }
}

// The batch's effect from the faulty logits and, per array node, its faulty output
// (`faulty(name)`: null when it equals the fault-free one).
// The first node whose faulty output (`faulty(name)`, null when fault-free) holds a
// NaN/Inf and differs from the recorded one: where the fault turned values non-finite.
template <typename Lookup>
int first_nonfinite_node(const GraphGoldenBatch& g, const Lookup& faulty) {
  for (std::size_t k = 0; k < g.graph->nodes.size(); ++k)
    for (const std::string& name : g.graph->nodes[k].outputs) {
      const Tensor* f = faulty(name);
      if (f && any_nonfinite(f->data(), static_cast<int>(f->size())) && count_differences(*f, g.run.values.at(name)) > 0)
        return static_cast<int>(k);
    }
  return -1;
}

template <typename Lookup>
BatchEffect effect_of(const GraphGoldenBatch& g, const Tensor& logits, const Lookup& faulty) {
  BatchEffect e;
  e.nonfinite_node = first_nonfinite_node(g, faulty);
  for (const Node& node : g.graph->nodes) {
    if (!on_array(node)) continue;
    const Tensor* f = faulty(node.outputs.at(0));
    e.trace.push_back(f ? count_differences(*f, g.run.values.at(node.outputs[0])) : 0);
  }
  classify_logits(g, logits, e);
  return e;
}

}  // namespace

std::vector<std::string> GraphFaultEvaluator::array_nodes(const Graph& graph) {
  std::vector<std::string> names;
  for (const Node& node : graph.nodes)
    if (on_array(node)) names.push_back(node.name);
  return names;
}

GraphGoldenBatch GraphFaultEvaluator::golden(const Graph& graph, const Tensor& images, const std::vector<int>& labels) const {
  const int n = images.rank() > 0 ? images.dim(0) : 0;
  const std::vector<int>& logits_shape = graph.shape_of(graph.outputs.at(0));
  if (static_cast<std::size_t>(n) != labels.size() || logits_shape.size() != 2 || logits_shape[0] != n)
    throw std::invalid_argument("GraphFaultEvaluator::golden: " + std::to_string(labels.size()) + " labels for images " +
                                images.shape_string() + " and logits " + Tensor(logits_shape).shape_string());
  const PeFaults healthy;
  FastEngine engine(array_, healthy);
  StationaryRecorder recorder(engine);
  GraphGoldenBatch g;
  g.graph = &graph;
  g.run = run_graph(graph, images, recorder, true);
  g.stationary = std::move(recorder.stationary);
  for (std::size_t j = 0; j < g.run.jobs.size(); ++j) {
    const ConvJob& job = g.run.jobs[j].job;
    g.mappings.emplace_back(job.shape, array_, array_.swizzle, job.swizzle_seed);
    g.node_jobs[g.run.jobs[j].node].push_back(j);
  }
  g.node_starts = node_start_cycles(graph, g.run);
  g.labels = labels;
  const Tensor& logits = g.run.outputs.at(0);
  for (int i = 0; i < n; ++i) {
    g.predictions.push_back(argmax_row(logits.data() + static_cast<std::size_t>(i) * logits_shape[1], logits_shape[1]));
    g.correct.push_back(g.predictions.back() == labels[static_cast<std::size_t>(i)]);
  }
  return g;
}

int GraphFaultEvaluator::node_at_cycle(const GraphGoldenBatch& g, long long cycle) {
  const std::vector<std::string> nodes = array_nodes(*g.graph);
  for (const LayerRun& job : g.run.jobs)
    if (cycle >= job.start_cycle && cycle < job.start_cycle + job.timing.cycles)
      for (std::size_t i = 0; i < nodes.size(); ++i)
        if (nodes[i] == job.node) return static_cast<int>(i);
  return -1;
}

bool GraphFaultEvaluator::stuck_at_touches(const GraphGoldenBatch& g, const Node& node, const HardwareFault& fault,
                                           const PeFaults& faults) const {
  const auto jobs = g.node_jobs.find(node.name);
  if (jobs == g.node_jobs.end()) return true;  // not in the record: assume the worst
  for (std::size_t j : jobs->second) {
    const LayerRun& job = g.run.jobs[j];
    const std::vector<char> clean(static_cast<std::size_t>(job.job.shape.n), 0);  // asked only when no input differs
    if (stuck_at_acts(fault, faults, array_, job, g.stationary[j], g.mappings[j], clean)) return true;
  }
  return false;
}

std::string GraphFaultEvaluator::transient_node(const GraphGoldenBatch& g, const PeFaults& faults, long long cycle) const {
  for (const LayerRun& job : g.run.jobs) {
    if (cycle < job.start_cycle || cycle >= job.start_cycle + job.timing.cycles) continue;
    return map_transients(job.job, array_, faults, job.start_cycle).empty() ? "" : job.node;
  }
  return "";  // past the run
}

GraphRun GraphFaultEvaluator::full_run(const GraphGoldenBatch& g, const PeFaults& faults, const Graph* graph) const {
  const Graph& model = graph ? *graph : *g.graph;
  FastEngine engine(array_, faults);
  return run_graph(model, g.run.values.at(model.inputs.at(0).name), engine, true);
}

BatchEffect GraphFaultEvaluator::classify(const GraphGoldenBatch& g, const Tensor& logits) {
  BatchEffect e;
  classify_logits(g, logits, e);
  return e;
}

BatchEffect GraphFaultEvaluator::evaluate(const GraphGoldenBatch& g, const HardwareFault& fault, const PeFaults& faults,
                                          bool shortcut, const ChangedParameters* changed) const {
  validate(fault, array_);
  const Graph& graph = changed ? *changed->graph : *g.graph;
  if (!shortcut) {
    const GraphRun full = full_run(g, faults, &graph);
    return effect_of(g, full.outputs.at(0), [&full](const std::string& name) { return &full.values.at(name); });
  }
  RerunScope scope;
  if (changed) scope.changed_initializers = changed->initializers;
  if (graph.nodes.size() == g.node_starts.size()) scope.node_starts = &g.node_starts;
  if (fault.permanent()) {
    scope.engine_touches = [&](const Node& node) { return stuck_at_touches(g, node, fault, faults); };
  } else {
    const std::string struck = transient_node(g, faults, fault.cycle);
    if (struck.empty() && scope.changed_initializers.empty())  // masked in the hardware: nothing changes
      return effect_of(g, g.run.outputs.at(0), [](const std::string&) { return static_cast<const Tensor*>(nullptr); });
    scope.engine_touches = [struck](const Node& node) { return !struck.empty() && node.name == struck; };
  }
  PlaneRerunEngine engine(array_, faults, g.run, g.stationary, g.mappings);
  const Rerun rerun = rerun_graph(graph, g.run, engine, scope);
  return effect_of(g, rerun.outputs.at(0), [&rerun](const std::string& name) -> const Tensor* {
    const auto it = rerun.changed.find(name);
    return it == rerun.changed.end() ? nullptr : &it->second;
  });
}

}  // namespace accsim
