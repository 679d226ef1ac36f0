#include "workloads/pvf/pvf_graph_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/pe_faults.h"
#include "workloads/run/engines.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/operators.h"
#include "workloads/models/relu_clip.h"
#include "workloads/models/batch_effect.h"

namespace accsim {

namespace {

// The predicted class, or -1 when a logit is NaN or Inf.
int prediction(const Tensor& logits) {
  if (!std::all_of(logits.data(), logits.data() + logits.size(), [](float x) { return std::isfinite(x); })) return -1;
  return argmax_row(logits.data(), static_cast<int>(logits.size()));
}

void check_graph(const PvfCampaign& c) {
  const Graph& g = *c.graph;
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
  std::vector<std::size_t> graph_of;                 // per variant (0: unprotected)
};

GraphVariants variant_graphs(const PvfCampaign& c) {
  GraphVariants v;
  v.graphs.push_back(c.graph);
  v.graph_of.push_back(0);
  std::vector<ActivationClip> clips{ActivationClip{}};  // per graph; [0]: as the campaign's graph has it
  for (const MitigationVariant& m : c.config.mitigations) {
    const ActivationClip& clip = m.mitigations.clip;
    std::size_t d = 0;
    if (clip.mode != ClipMode::none && !has_relu_clip(*c.graph, clip)) {
      d = 1;
      while (d < clips.size() && (clips[d].mode != clip.mode || clips[d].threshold != clip.threshold)) ++d;
      if (d == clips.size()) {
        Graph g = *c.graph;
        set_relu_clips(g, clip);
        v.graphs.push_back(std::make_shared<const Graph>(std::move(g)));
        clips.push_back(clip);
      }
    }
    v.graph_of.push_back(d);
  }
  return v;
}

class GraphPvfModel;

class GraphPvfWorker : public PvfWorker {
 public:
  explicit GraphPvfWorker(const GraphPvfModel& model);
  ParameterSet& parameters() override { return sets_.front(); }
  std::vector<PvfOutcome> evaluate(std::size_t variant, const std::vector<int>& images,
                                   const std::vector<Injection>& injections, bool shortcut) override;

 private:
  const GraphPvfModel& model_;
  // Per distinct model, the worker's own copy, whose initializers are corrupted and
  // restored in place, and its parameters (the same tensors in the same order in each).
  std::vector<Graph> graphs_;
  std::vector<ParameterSet> sets_;
  PeFaults healthy_;
  std::unique_ptr<Engine> engine_;
};

class GraphPvfModel : public PvfModel {
 public:
  explicit GraphPvfModel(const PvfCampaign& c);
  bool golden_correct(std::size_t variant, int image) const override {
    return correct_[variants_.graph_of.at(variant)][static_cast<std::size_t>(image)];
  }
  long long golden_cycles(std::size_t variant) const override {
    return golden_[variants_.graph_of.at(variant)].front().cycles;
  }
  bool golden_nonfinite(int image) const override {
    return nonfinite_[variants_.graph_of.at(0)][static_cast<std::size_t>(image)];
  }
  std::unique_ptr<PvfWorker> make_worker() const override { return std::make_unique<GraphPvfWorker>(*this); }

  const PvfCampaign& campaign() const { return c_; }
  const GraphVariants& variants() const { return variants_; }
  const GraphRun& golden(std::size_t graph, int image) const { return golden_[graph][static_cast<std::size_t>(image)]; }
  const Tensor& image(int i) const { return images_[static_cast<std::size_t>(i)]; }
  int label(int image) const { return c_.labels[static_cast<std::size_t>(image)]; }

 private:
  void record_goldens(std::size_t graph);

  const PvfCampaign& c_;
  GraphVariants variants_;
  std::vector<Tensor> images_;   // [1, ...] each
  // Per distinct model, per image: recorded runs (jobs keep only their place on the
  // timeline; images not counted no values) whether the image is classified correctly and whether
  // its fault-free outputs hold a NaN or infinity.
  std::vector<std::vector<GraphRun>> golden_;
  std::vector<std::vector<char>> correct_;
  std::vector<std::vector<char>> nonfinite_;
};

GraphPvfModel::GraphPvfModel(const PvfCampaign& c) : c_(c) {
  check_graph(c);
  variants_ = variant_graphs(c);
  const auto n = static_cast<std::size_t>(c.images.dim(0));
  const std::size_t per = c.images.size() / n;
  std::vector<int> shape = c.images.shape();
  shape[0] = 1;
  for (std::size_t i = 0; i < n; ++i) {
    images_.emplace_back(shape);
    std::copy_n(c.images.data() + i * per, per, images_.back().data());
  }
  golden_.resize(variants_.graphs.size());
  correct_.resize(variants_.graphs.size());
  nonfinite_.resize(variants_.graphs.size());
  for (std::size_t d = 0; d < variants_.graphs.size(); ++d) record_goldens(d);
}

void GraphPvfModel::record_goldens(std::size_t d) {
  const std::size_t n = images_.size();
  golden_[d].resize(n);
  correct_[d].resize(n);
  nonfinite_[d].resize(n);
  parallel_for(c_.config.threads, n, [&](std::size_t i) {
    const PeFaults healthy;
    GraphRun run = run_graph(*variants_.graphs[d], images_[i], *make_engine("fast", c_.array, healthy), true);
    for (LayerRun& job : run.jobs) job.input = job.output = job.weights = Tensor();  // reruns need only the cycles
    correct_[d][i] = prediction(run.outputs.at(0)) == c_.labels[i];
    nonfinite_[d][i] = prediction(run.outputs.at(0)) < 0;
    if (!correct_[d][i]) run.values.clear();  // never rerun: the image is not counted
    golden_[d][i] = std::move(run);
  });
}

GraphPvfWorker::GraphPvfWorker(const GraphPvfModel& model)
    : model_(model), engine_(make_engine("fast", model.campaign().array, healthy_)) {
  for (const auto& graph : model.variants().graphs) graphs_.push_back(*graph);
  for (Graph& g : graphs_) sets_.push_back(graph_parameter_set(g));  // graphs_ no longer grows: stable views
}

std::vector<PvfOutcome> GraphPvfWorker::evaluate(std::size_t variant, const std::vector<int>& images,
                                                 const std::vector<Injection>& injections, bool shortcut) {
  const std::size_t d = model_.variants().graph_of.at(variant);
  Graph& graph = graphs_[d];
  ParameterSet& set = sets_[d];
  std::vector<PvfOutcome> out;
  for (std::size_t k = 0; k < injections.size(); ++k) {
    const int image = images[k];
    RerunScope scope;
    for (const ParameterFlip& f : injections[k].flips) scope.changed_initializers.insert(set[f.tensor].name);
    injections[k].apply(set);
    const Tensor logits = shortcut ? rerun_graph(graph, model_.golden(d, image), *engine_, scope).outputs.at(0)
                                   : run_graph(graph, model_.image(image), *engine_, false).outputs.at(0);
    injections[k].undo(set);
    const int p = prediction(logits);
    out.push_back(p < 0 ? PvfOutcome::crash : p != model_.label(image) ? PvfOutcome::sdc : PvfOutcome::masked);
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
