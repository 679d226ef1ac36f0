#include "workloads/pvf/pvf_graph_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

#include "arch/mapping.h"
#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "workloads/run/engines.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/operators.h"
#include "workloads/models/relu_clip.h"
#include "workloads/models/batch_effect.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/plane_rerun_engine.h"
#include "workloads/pvf/batched_golden.h"
#include "workloads/pvf/stacked_remainder.h"
#include "workloads/pvf/struck_planes.h"

namespace accsim {

namespace {

// The predicted class of one row of logits, or -1 when a logit is NaN or Inf.
int prediction(const float* logits, std::size_t classes) {
  if (!std::all_of(logits, logits + classes, [](float x) { return std::isfinite(x); })) return -1;
  return argmax_row(logits, static_cast<int>(classes));
}
int prediction(const Tensor& logits) { return prediction(logits.data(), logits.size()); }

PvfOutcome outcome(int predicted, int label) {
  return predicted < 0 ? PvfOutcome::crash : predicted != label ? PvfOutcome::sdc : PvfOutcome::masked;
}

void check_graph(const PvfCampaign& c, const Graph& g) {
  std::vector<int> image_shape = c.images.shape();
  image_shape[0] = 1;
  if (g.inputs.size() != 1 || g.inputs[0].shape != image_shape)
    throw std::invalid_argument("run_pvf: the graph's input must be one " + Tensor(image_shape).shape_string() +
                                " tensor (batch 1) for images " + c.images.shape_string());
  if (g.outputs.empty() || g.shape_of(g.outputs[0]).size() != 2 || g.shape_of(g.outputs[0])[0] != 1)
    throw std::invalid_argument("run_pvf: the graph's first output must be [1, classes] logits");
}

// The model each variant runs: the campaign's graph, or with the variant's clip at every
// Relu node (workloads/models/relu_clip.h). Variants that run the same model share it.
struct GraphVariants {
  std::vector<std::shared_ptr<const Graph>> graphs;  // distinct models; [0] the campaign's
  std::vector<ActivationClip> clips;                 // per graph; [0]: as the campaign's graph has it
  std::vector<std::size_t> graph_of;                 // per variant (0: unprotected)
};

GraphVariants variant_graphs(const PvfCampaign& c, const std::shared_ptr<const Graph>& base) {
  GraphVariants v;
  v.graphs.push_back(base);
  v.clips.push_back(ActivationClip{});
  v.graph_of.push_back(0);
  for (const MitigationVariant& m : c.config.mitigations) {
    const ActivationClip& clip = m.mitigations.clip;
    std::size_t d = 0;
    if (clip.mode != ClipMode::none && !has_relu_clip(*base, clip)) {
      d = 1;
      while (d < v.clips.size() && (v.clips[d].mode != clip.mode || v.clips[d].threshold != clip.threshold)) ++d;
      if (d == v.clips.size()) {
        Graph g = *base;
        set_relu_clips(g, clip);
        v.graphs.push_back(std::make_shared<const Graph>(std::move(g)));
        v.clips.push_back(clip);
      }
    }
    v.graph_of.push_back(d);
  }
  return v;
}

// A built-in network runs as its graph (network_graph.h, bit for bit its chain run) with
// batch 1; its parameters keep the network's order, "<layer>.weight", "<layer>.bias" per
// layer (experiments' tensor indices, /tensors).
std::shared_ptr<const Graph> campaign_graph(const PvfCampaign& c) {
  return c.graph ? c.graph : std::make_shared<const Graph>(network_graph(c.network, c.params, 1));
}
std::vector<std::string> network_parameter_order(const PvfCampaign& c) {
  std::vector<std::string> order;
  if (!c.graph)
    for (const LayerSpec& l : c.network.layers) order.insert(order.end(), {l.name + ".weight", l.name + ".bias"});
  return order;
}

class GraphPvfModel;

class GraphPvfWorker : public PvfWorker {
 public:
  explicit GraphPvfWorker(const GraphPvfModel& model);
  ParameterSet& parameters() override { return sets_.front(); }
  std::vector<PvfOutcome> evaluate(std::size_t variant, const std::vector<int>& images,
                                   const std::vector<Injection>& injections, bool shortcut) override;
  PvfRuns record_runs(std::size_t variant, int image, const Injection& injection) override;

 private:
  // One experiment alone: rerun (or, without the shortcut, run) the whole corrupted graph.
  PvfOutcome evaluate_alone(std::size_t d, int image, const Injection& injection, bool shortcut);
  // The experiments' reruns up to their fault-free rests, which run stacked per start node.
  std::vector<PvfOutcome> evaluate_stacked(std::size_t d, const std::vector<int>& images,
                                           const std::vector<Injection>& injections);
  // The injections' known changes on model d (struck_planes.h).
  std::vector<std::optional<KnownChanges>> known_changes(std::size_t d, const std::vector<int>& images,
                                                         const std::vector<Injection>& injections);
  // Per tensor of model d's parameters: its operand places when the injections flip it
  // (found on first use), else null.
  std::vector<const OperandPlaces*> places_of(std::size_t d, const std::vector<Injection>& injections);
  // The rerun's scope of one experiment on model d: what it corrupts, the model's kept
  // tables, and its first node (the flipped tensors' first reader, found once per tensor).
  RerunScope scope_of(std::size_t d, int image, const Injection& injection);

  const GraphPvfModel& model_;
  // Per distinct model, the worker's own copy, whose initializers are corrupted and
  // restored in place, and its parameters (the same tensors in the same order in each).
  std::vector<Graph> graphs_;
  std::vector<ParameterSet> sets_;
  std::vector<StackedRemainder> remainders_;  // per distinct model (of the model's own graph)
  std::vector<std::map<std::uint32_t, std::optional<OperandPlaces>>> places_;  // per distinct model, by tensor
  std::vector<std::map<std::uint32_t, std::size_t>> first_readers_;  // per distinct model, by tensor
  PeFaults healthy_;
  std::unique_ptr<Engine> engine_;
};

class GraphPvfModel : public PvfModel {
 public:
  explicit GraphPvfModel(const PvfCampaign& c);
  bool golden_correct(std::size_t variant, int image) const override {
    return correct_[variants_.graph_of.at(variant)][static_cast<std::size_t>(image)];
  }
  long long golden_cycles(std::size_t variant) const override { return cycles_[variants_.graph_of.at(variant)]; }
  bool golden_nonfinite(int image) const override {
    return nonfinite_[variants_.graph_of.at(0)][static_cast<std::size_t>(image)];
  }
  std::unique_ptr<PvfWorker> make_worker() const override { return std::make_unique<GraphPvfWorker>(*this); }

  const PvfCampaign& campaign() const { return c_; }
  const GraphVariants& variants() const { return variants_; }
  const GraphRun& golden(std::size_t graph, int image) const { return golden_[graph][static_cast<std::size_t>(image)]; }
  const Tensor& image(int i) const { return images_[static_cast<std::size_t>(i)]; }
  // Per distinct model, per job: the fault-free stationary operand and its mapping (the
  // same for every image), for reruns that recompute only corrupted channels.
  const std::vector<Tensor>& stationary(std::size_t graph) const { return stationary_[graph]; }
  const std::vector<Mapping>& mappings(std::size_t graph) const { return mappings_[graph]; }
  // Per distinct model, per node: where a rerun starts it (the same for every image).
  const std::vector<long long>* node_starts(std::size_t graph) const { return &starts_[graph]; }
  // Per distinct model, per image: its record's values by number.
  const RecordIndex* recorded(std::size_t graph, int image) const {
    return &records_[graph][static_cast<std::size_t>(image)];
  }
  // Per distinct model, per node: its operator (node_operators).
  const std::vector<const OperatorDef*>* operators(std::size_t graph) const { return &operators_[graph]; }
  int label(int image) const { return c_.labels[static_cast<std::size_t>(image)]; }
  const std::vector<std::string>& parameter_order() const { return order_; }
  // Whether the experiments' fault-free rests on the model run stacked (stacked_remainder.h).
  bool stacks(std::size_t graph) const { return stacks_[graph] != 0; }

 private:
  void record_goldens(std::size_t graph);
  void index_goldens(std::size_t graph);
  void keep_golden(std::size_t graph, std::size_t image, GraphRun&& run);
  bool check_stacking(std::size_t graph) const;
  void forget_data_stationaries(std::size_t graph, const std::vector<std::vector<char>>& varies);
  long long batch_cycles(std::size_t graph) const;

  const PvfCampaign& c_;
  std::vector<std::string> order_;  // the parameters' order (empty: by name)
  GraphVariants variants_;
  std::vector<Tensor> images_;   // [1, ...] each
  // Per distinct model, per image: recorded runs (jobs keep only their place on the
  // timeline; images not counted no values) whether the image is classified correctly and whether
  // its fault-free outputs hold a NaN or infinity.
  std::vector<std::vector<GraphRun>> golden_;
  std::vector<std::vector<char>> correct_;
  std::vector<std::vector<char>> nonfinite_;
  std::vector<char> stacks_;  // per distinct model
  std::vector<std::vector<Tensor>> stationary_;
  std::vector<std::vector<Mapping>> mappings_;
  std::vector<std::vector<long long>> starts_;  // per distinct model: node_start_cycles
  std::vector<std::vector<const OperatorDef*>> operators_;  // per distinct model: node_operators
  std::vector<ValueNumbers> numbers_;             // per distinct model: its records' value names
  std::vector<std::vector<RecordIndex>> records_;  // per distinct model, per image: golden_'s values
  std::vector<long long> cycles_;  // per distinct model: one fault-free batch of config.batch images
};

GraphPvfModel::GraphPvfModel(const PvfCampaign& c) : c_(c), order_(network_parameter_order(c)) {
  const std::shared_ptr<const Graph> base = campaign_graph(c);
  check_graph(c, *base);
  variants_ = variant_graphs(c, base);
  const auto n = static_cast<std::size_t>(c.images.dim(0));
  const std::size_t per = c.images.size() / n;
  std::vector<int> shape = c.images.shape();
  shape[0] = 1;
  for (std::size_t i = 0; i < n; ++i) {
    images_.emplace_back(shape);
    std::copy_n(c.images.data() + i * per, per, images_.back().data());
  }
  stationary_.resize(variants_.graphs.size());
  mappings_.resize(variants_.graphs.size());
  starts_.resize(variants_.graphs.size());
  for (const auto& graph : variants_.graphs) operators_.push_back(node_operators(*graph));
  golden_.resize(variants_.graphs.size());
  correct_.resize(variants_.graphs.size());
  nonfinite_.resize(variants_.graphs.size());
  for (std::size_t d = 0; d < variants_.graphs.size(); ++d) record_goldens(d);
  numbers_.resize(variants_.graphs.size());
  records_.resize(variants_.graphs.size());
  for (std::size_t d = 0; d < variants_.graphs.size(); ++d) index_goldens(d);
  for (std::size_t d = 0; d < variants_.graphs.size(); ++d) stacks_.push_back(check_stacking(d));
  for (std::size_t d = 0; d < variants_.graphs.size(); ++d) cycles_.push_back(batch_cycles(d));
}

// A graph model's batch is 1; a network's pvf.batch images (the first of the pool) run as
// one batch of its graph at that batch.
long long GraphPvfModel::batch_cycles(std::size_t d) const {
  const int batch = std::min(c_.config.batch, c_.images.dim(0));
  if (c_.graph || batch <= 1) return golden_[d].front().cycles;
  Graph g = network_graph(c_.network, c_.params, batch);
  if (d > 0) set_relu_clips(g, variants_.clips[d]);
  Tensor x({batch, c_.images.dim(1), c_.images.dim(2), c_.images.dim(3)});
  std::copy_n(c_.images.data(), x.size(), x.data());
  const PeFaults healthy;
  return run_graph(g, x, *make_engine("fast", c_.array, healthy), false).cycles;
}

// A model stacks when its data values have batch 1 first and a stacked run of two
// correctly classified images reproduces their recorded outputs bit for bit (a model that
// mixes images along the batch axis does not); otherwise each experiment reruns alone.
bool GraphPvfModel::check_stacking(std::size_t d) const {
  StackedRemainder rest(*variants_.graphs[d]);
  if (!rest.batchable()) return false;
  std::vector<StackedMember> members;
  const std::map<std::string, Tensor> none;
  for (std::size_t i = 0; i < images_.size() && members.size() < 2; ++i)
    if (correct_[d][i]) members.push_back({&golden_[d][i], &none});
  if (members.empty()) return true;  // no experiment will run
  const PeFaults healthy;
  Tensor logits;
  try {
    logits = rest.run(0, members, *make_engine("fast", c_.array, healthy));
  } catch (const std::logic_error&) {
    return false;
  }
  const std::size_t classes = logits.size() / members.size();
  for (std::size_t m = 0; m < members.size(); ++m) {
    const Tensor& want = members[m].golden->outputs.at(0);
    if (want.size() != classes || !std::equal(want.data(), want.data() + classes, logits.data() + m * classes,
                                              [](float a, float b) { return float_bits(a) == float_bits(b); }))
      return false;
  }
  return true;
}

// Per job of `jobs`: whether its stationary operand differs from `stationary`'s.
std::vector<char> stationary_differs(const std::vector<LayerRun>& jobs, const std::vector<Tensor>& stationary) {
  std::vector<char> differs(stationary.size(), 1);
  for (std::size_t j = 0; j < std::min(jobs.size(), stationary.size()); ++j)
    differs[j] = jobs[j].weights.shape() != stationary[j].shape() ||
                 !std::equal(stationary[j].data(), stationary[j].data() + stationary[j].size(), jobs[j].weights.data(),
                             [](float a, float b) { return float_bits(a) == float_bits(b); });
  return differs;
}

// Image 0's recorded run gives the stationary operands (kept once) and the jobs' timing;
// every image's record comes from batches of pvf.batch (batched_golden.h), else one
// image at a time.
void GraphPvfModel::record_goldens(std::size_t d) {
  const std::size_t n = images_.size();
  const Graph& graph = *variants_.graphs[d];
  golden_[d].resize(n);
  correct_[d].resize(n);
  nonfinite_[d].resize(n);
  const PeFaults healthy;
  const GraphRun first = run_graph(graph, images_[0], *make_engine("fast", c_.array, healthy), true);
  for (const LayerRun& job : first.jobs) {
    stationary_[d].push_back(job.weights);
    mappings_[d].emplace_back(job.job.shape, c_.array, c_.array.swizzle, job.job.swizzle_seed);
  }
  starts_[d] = node_start_cycles(graph, first);  // the jobs' timing does not depend on the image
  // Per image, per job: a stationary operand other than image 0's (none in a batch's slices).
  std::vector<std::vector<char>> varies(n, std::vector<char>(first.jobs.size(), 0));
  const auto counted = [this](std::size_t i, const Tensor& output) { return prediction(output) == c_.labels[i]; };
  if (auto runs = record_in_batches(graph, c_.array, images_, first, c_.config.batch, c_.config.threads, counted)) {
    for (std::size_t i = 0; i < n; ++i) keep_golden(d, i, std::move((*runs)[i]));
  } else {
    parallel_for(c_.config.threads, n, [&](std::size_t i) {
      GraphRun run = run_graph(graph, images_[i], *make_engine("fast", c_.array, healthy), true);
      varies[i] = stationary_differs(run.jobs, stationary_[d]);
      for (LayerRun& job : run.jobs) job.weights = Tensor();  // the same for every image: kept once
      keep_golden(d, i, std::move(run));
    });
  }
  forget_data_stationaries(d, varies);
}

// Every record's values by number, once: the experiments read them many times each.
void GraphPvfModel::index_goldens(std::size_t d) {
  for (const GraphRun& run : golden_[d]) number_values(run.values, numbers_[d]);
  for (const GraphRun& run : golden_[d]) records_[d].emplace_back(numbers_[d], run.values);
}

void GraphPvfModel::keep_golden(std::size_t d, std::size_t i, GraphRun&& run) {
  correct_[d][i] = prediction(run.outputs.at(0)) == c_.labels[i];
  nonfinite_[d][i] = prediction(run.outputs.at(0)) < 0;
  if (!correct_[d][i]) {  // never rerun: the image is not counted
    run.values.clear();
    run.jobs.clear();
  }
  golden_[d][i] = std::move(run);
}

// A job whose stationary operand is computed from the image (attention's K and V) has no
// one record to compare corrupted weights against: it reruns in full (an empty operand
// and record tell the plane engine so), and its operands are not kept.
void GraphPvfModel::forget_data_stationaries(std::size_t d, const std::vector<std::vector<char>>& varies) {
  for (std::size_t j = 0; j < stationary_[d].size(); ++j) {
    if (std::none_of(varies.begin(), varies.end(), [j](const std::vector<char>& v) { return v[j] != 0; })) continue;
    stationary_[d][j] = Tensor();
    for (GraphRun& run : golden_[d])
      if (j < run.jobs.size()) run.jobs[j].input = run.jobs[j].output = Tensor();
  }
}

GraphPvfWorker::GraphPvfWorker(const GraphPvfModel& model)
    : model_(model), engine_(make_engine("fast", model.campaign().array, healthy_)) {
  for (const auto& graph : model.variants().graphs) graphs_.push_back(*graph);
  for (Graph& g : graphs_) sets_.push_back(graph_parameter_set(g, model.parameter_order()));  // graphs_ no longer grows: stable views
  for (const auto& graph : model.variants().graphs) remainders_.emplace_back(*graph);  // fault-free: the model's
  places_.resize(graphs_.size());
  first_readers_.resize(graphs_.size());
}

RerunScope GraphPvfWorker::scope_of(std::size_t d, int image, const Injection& injection) {
  RerunScope scope;
  scope.node_starts = model_.node_starts(d);
  scope.operators = model_.operators(d);
  scope.recorded = model_.recorded(d, image);
  scope.first_node = graphs_[d].nodes.size();
  for (const ParameterFlip& f : injection.flips) {
    const std::string& name = sets_[d][f.tensor].name;
    scope.changed_initializers.insert(name);
    auto [it, fresh] = first_readers_[d].try_emplace(f.tensor, 0);
    if (fresh) it->second = first_reader(graphs_[d], {name});
    scope.first_node = std::min(scope.first_node, it->second);
  }
  return scope;
}

std::vector<const OperandPlaces*> GraphPvfWorker::places_of(std::size_t d, const std::vector<Injection>& injections) {
  std::vector<const OperandPlaces*> out(sets_[d].size(), nullptr);
  const ArrayConfig& array = model_.campaign().array;
  if (is_integer(array.datatype)) return out;  // int8 jobs whose weights differ run whole
  for (const Injection& injection : injections)
    for (const ParameterFlip& f : injection.flips) {
      auto [it, fresh] = places_[d].try_emplace(f.tensor);
      if (fresh)
        it->second = find_operand_places(graphs_[d], sets_[d][f.tensor].name, model_.image(0), array, model_.stationary(d));
      out[f.tensor] = it->second ? &*it->second : nullptr;
    }
  return out;
}

std::vector<std::optional<KnownChanges>> GraphPvfWorker::known_changes(std::size_t d, const std::vector<int>& images,
                                                                       const std::vector<Injection>& injections) {
  const std::vector<const OperandPlaces*> places = places_of(d, injections);
  std::vector<const GraphRun*> goldens;
  for (int image : images) goldens.push_back(&model_.golden(d, image));
  return struck_changes({model_.campaign().array, model_.stationary(d), model_.mappings(d), places}, goldens, injections);
}

std::vector<PvfOutcome> GraphPvfWorker::evaluate(std::size_t variant, const std::vector<int>& images,
                                                 const std::vector<Injection>& injections, bool shortcut) {
  const std::size_t d = model_.variants().graph_of.at(variant);
  if (shortcut && model_.stacks(d)) return evaluate_stacked(d, images, injections);
  std::vector<PvfOutcome> out;
  for (std::size_t k = 0; k < injections.size(); ++k) out.push_back(evaluate_alone(d, images[k], injections[k], shortcut));
  return out;
}

PvfRuns GraphPvfWorker::record_runs(std::size_t variant, int image, const Injection& injection) {
  const std::size_t d = model_.variants().graph_of.at(variant);
  PvfRuns runs;
  runs.graph = &graphs_[d];
  runs.golden = run_graph(graphs_[d], model_.image(image), *engine_, true);
  runs.faulty = injection.while_applied(sets_[d], [&] { return run_graph(graphs_[d], model_.image(image), *engine_, true); });
  return runs;
}

PvfOutcome GraphPvfWorker::evaluate_alone(std::size_t d, int image, const Injection& injection, bool shortcut) {
  Graph& graph = graphs_[d];
  ParameterSet& set = sets_[d];
  RerunScope scope = scope_of(d, image, injection);
  const Tensor logits = injection.while_applied(set, [&] {
    if (!shortcut) return run_graph(graph, model_.image(image), *engine_, false).outputs.at(0);
    PlaneRerunEngine planes(model_.campaign().array, healthy_, model_.golden(d, image), model_.stationary(d),
                            model_.mappings(d));
    scope.planes = &planes;
    return rerun_graph(graph, model_.golden(d, image), planes, scope).outputs.at(0);
  });
  return outcome(prediction(logits), model_.label(image));
}

std::vector<PvfOutcome> GraphPvfWorker::evaluate_stacked(std::size_t d, const std::vector<int>& images,
                                                         const std::vector<Injection>& injections) {
  Graph& graph = graphs_[d];
  ParameterSet& set = sets_[d];
  StackedRemainder& rest = remainders_[d];
  std::vector<PvfOutcome> out(injections.size(), PvfOutcome::masked);  // unchanged logits: the correct class
  std::vector<Rerun> reruns(injections.size());
  std::map<std::size_t, std::vector<std::size_t>> by_start;  // start node -> experiments whose rest differs
  const std::vector<std::optional<KnownChanges>> known = known_changes(d, images, injections);
  for (std::size_t k = 0; k < injections.size(); ++k) {
    const GraphRun& golden = model_.golden(d, images[k]);
    RerunScope scope = scope_of(d, images[k], injections[k]);
    const std::size_t start = rest.resume_node(scope.changed_initializers);
    reruns[k] = injections[k].while_applied(set, [&] {
      PlaneRerunEngine planes(model_.campaign().array, healthy_, golden, model_.stationary(d), model_.mappings(d),
                              known[k] ? &*known[k] : nullptr);
      scope.planes = &planes;
      return rerun_nodes(graph, golden, planes, scope, start);
    });
    if (start < graph.nodes.size()) {
      if (rest.reaches_rest(start, reruns[k].changed)) by_start[start].push_back(k);
      continue;
    }
    const auto c = reruns[k].changed.find(graph.outputs.at(0));
    if (c != reruns[k].changed.end()) out[k] = outcome(prediction(c->second), model_.label(images[k]));
  }
  for (const auto& [start, ks] : by_start) {
    std::vector<StackedMember> members;
    for (std::size_t k : ks)
      members.push_back({&model_.golden(d, images[k]), &reruns[k].changed, model_.recorded(d, images[k])});
    const Tensor logits = rest.run(start, members, *engine_);
    const std::size_t classes = logits.size() / ks.size();
    for (std::size_t m = 0; m < ks.size(); ++m)
      out[ks[m]] = outcome(prediction(logits.data() + m * classes, classes), model_.label(images[ks[m]]));
  }
  return out;
}

}  // namespace

ParameterSet graph_parameter_set(Graph& graph) {
  ParameterSet set;
  for (auto& [name, tensor] : graph.initializers)
    if (!graph.constants.count(name)) set.add(name, tensor);
  return set;
}

ParameterSet graph_parameter_set(Graph& graph, const std::vector<std::string>& order) {
  if (order.empty()) return graph_parameter_set(graph);
  ParameterSet set;
  for (const std::string& name : order) set.add(name, graph.initializers.at(name));
  return set;
}

std::vector<std::string> graph_array_weights(const Graph& graph) {
  std::vector<std::string> out;
  for (const Node& node : graph.nodes) {
    const OperatorDef* def = find_operator(node.op);
    if (!def || !def->on_array) continue;
    for (std::size_t i = 0; i < std::min<std::size_t>(2, node.inputs.size()); ++i) {
      const std::string& in = node.inputs[i];
      if (graph.is_initializer(in) && !graph.constants.count(in) && std::find(out.begin(), out.end(), in) == out.end())
        out.push_back(in);
    }
  }
  return out;
}

std::vector<int> graph_predicted_labels(const Graph& graph, const ArrayConfig& array, const Tensor& images, int threads) {
  const auto n = static_cast<std::size_t>(images.dim(0));
  const std::size_t per = images.size() / n;
  std::vector<int> shape = images.shape();
  shape[0] = 1;
  std::vector<int> labels(n);
  parallel_for(threads, n, [&](std::size_t i) {
    Tensor x(shape);
    std::copy_n(images.data() + i * per, per, x.data());
    const PeFaults healthy;
    const Tensor logits = run_graph(graph, x, *make_engine("fast", array, healthy), false).outputs.at(0);
    labels[i] = argmax_row(logits.data(), static_cast<int>(logits.size()));
  });
  return labels;
}

std::unique_ptr<PvfModel> make_graph_pvf_model(const PvfCampaign& campaign) {
  return std::make_unique<GraphPvfModel>(campaign);
}

}  // namespace accsim
