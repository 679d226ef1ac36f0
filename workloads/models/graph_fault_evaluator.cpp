#include "workloads/models/graph_fault_evaluator.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "arch/number_format.h"
#include "faultmodels/transient_mapper.h"
#include "workloads/run/engines.h"
#include "workloads/models/changed_planes.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/operators.h"
#include "workloads/models/plane_rerun_engine.h"
#include "workloads/models/value_scan.h"
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

// A faulty value as the scans see it (none: fault-free): whole, or only its `planes`
// that differ from the recorded value stacked (a patch, changed_planes.h); `planes`: null
// when not known.
struct FaultyValue {
  const Tensor* value = nullptr;
  const Tensor* patch = nullptr;
  const PlaneList* planes = nullptr;
  bool present() const { return value || patch; }
};

// What a scan knows of the values so far: the faulty values seen to be finite, and the
// recorded ones (GraphGoldenBatch::finite_values); any other value may hold a NaN or Inf.
template <typename Lookup>
struct Finiteness {
  const GraphGoldenBatch& g;
  const Lookup& faulty;
  std::set<std::string> finite;  // faulty values

  bool inputs_finite(const Node& node) const {
    return std::all_of(node.inputs.begin(), node.inputs.end(), [&](const std::string& in) {
      return in.empty() || (faulty(in).present() ? finite.count(in) > 0 : g.finite_values.count(in) > 0);
    });
  }
};

// scan_values of the faulty value `name`, reading only the planes in which it differs
// when the recorded value is finite (the others hold the recorded words).
ValueScan scan_value(const GraphGoldenBatch& g, const std::string& name, const FaultyValue& f, const Tensor& golden) {
  const bool finite = g.finite_values.count(name) > 0;
  if (f.patch && finite) return scan_stacked(*f.patch, golden, *f.planes);
  if (f.patch) return scan_values(with_planes(golden, *f.patch, *f.planes), golden);
  if (f.planes && finite) return scan_planes(*f.value, golden, *f.planes);
  return scan_values(*f.value, golden);
}

// Per array node, the words of its output that differ from the recorded one (the trace),
// and the first node whose faulty output holds a NaN/Inf and differs from the recorded
// one (where the fault turned values non-finite); `faulty(name)`: see FaultyValue.
// An array node's output is scanned once for both.
template <typename Lookup>
void scan_outputs(const GraphGoldenBatch& g, const Lookup& faulty, BatchEffect& e) {
  e.nonfinite_node = -1;
  Finiteness<Lookup> known{g, faulty, {}};
  for (std::size_t k = 0; k < g.graph->nodes.size(); ++k) {
    const Node& node = g.graph->nodes[k];
    const bool counted = on_array(node);
    const bool stays_finite = !counted && keeps_finite(node) && known.inputs_finite(node);
    long long differences = 0;
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      const FaultyValue f = faulty(node.outputs[o]);
      if (!f.present()) continue;
      if (stays_finite) {
        known.finite.insert(node.outputs[o]);
        continue;
      }
      const Tensor& golden = g.run.values.at(node.outputs[o]);
      // Other values are compared only when they hold a NaN/Inf (rare), or when their
      // changed planes are known (a scan of those costs less than a look at every word).
      const bool exact = (counted && o == 0) || f.planes;
      const ValueScan s = exact ? scan_value(g, node.outputs[o], f, golden)
                                : ValueScan{0, any_nonfinite(f.value->data(), f.value->size())};
      if (counted && o == 0) differences = s.differences;
      if (!s.nonfinite) known.finite.insert(node.outputs[o]);
      if (s.nonfinite && e.nonfinite_node < 0 && (exact ? s.differences : scan_values(*f.value, golden).differences) > 0)
        e.nonfinite_node = static_cast<int>(k);
    }
    if (counted) e.trace.push_back(differences);
  }
}

template <typename Lookup>
BatchEffect effect_of(const GraphGoldenBatch& g, const Tensor& logits, const Lookup& faulty) {
  BatchEffect e;
  scan_outputs(g, faulty, e);
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
  for (const auto& [name, value] : g.run.values)
    if (!any_nonfinite(value.data(), value.size())) g.finite_values.insert(name);
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
    return effect_of(g, full.outputs.at(0), [&full](const std::string& name) {
      const auto it = full.values.find(name);  // every value of the run (initializers are not recorded)
      return FaultyValue{it == full.values.end() ? nullptr : &it->second, nullptr, nullptr};
    });
  }
  RerunScope scope;
  if (changed) scope.changed_initializers = changed->initializers;
  if (graph.nodes.size() == g.node_starts.size()) scope.node_starts = &g.node_starts;
  if (fault.permanent()) {
    scope.engine_touches = [&](const Node& node) { return stuck_at_touches(g, node, fault, faults); };
  } else {
    const std::string struck = transient_node(g, faults, fault.cycle);
    if (struck.empty() && scope.changed_initializers.empty())  // masked in the hardware: nothing changes
      return effect_of(g, g.run.outputs.at(0), [](const std::string&) { return FaultyValue{}; });
    scope.engine_touches = [struck](const Node& node) { return !struck.empty() && node.name == struck; };
  }
  PlaneRerunEngine engine(array_, faults, g.run, g.stationary, g.mappings);
  scope.planes = &engine;
  scope.keep_patches = true;  // the scans read their planes
  const Rerun rerun = rerun_graph(graph, g.run, engine, scope);
  return effect_of(g, rerun.outputs.at(0), [&rerun](const std::string& name) {
    const auto it = rerun.changed.find(name);
    const auto patch = rerun.patches.find(name);
    const auto planes = rerun.planes.find(name);
    return FaultyValue{it == rerun.changed.end() ? nullptr : &it->second,
                       patch == rerun.patches.end() ? nullptr : &patch->second,
                       planes == rerun.planes.end() ? nullptr : &planes->second};
  });
}

}  // namespace accsim
