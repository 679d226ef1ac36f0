#include "workloads/campaign/graph_campaign.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/input_error.h"
#include "arch/pe_faults.h"
#include "workloads/campaign/campaign_model.h"
#include "workloads/run/engines.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/mitigations/graph_mitigated_evaluation.h"
#include "workloads/mitigations/graph_pruning.h"
#include "workloads/models/relu_clip.h"
#include "workloads/models/graph_fault_evaluator.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/run_config.h"
#include "workloads/run/workload_input.h"

namespace accsim {

namespace {

// The recorded fault-free run of every batch, once.
std::vector<GraphGoldenBatch> golden_batches(const Campaign& c, const GraphFaultEvaluator& evaluator) {
  const int n = c.images.dim(0), batch = std::min(c.config.batch, n);
  std::vector<GraphGoldenBatch> golden(static_cast<std::size_t>((n + batch - 1) / batch));
  parallel_for(c.config.threads, golden.size(), [&](std::size_t b) {
    const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
    const auto graph = c.graphs.find(count);
    if (graph == c.graphs.end())
      throw std::invalid_argument("graph campaign: no graph for batches of " + std::to_string(count) + " images");
    golden[b] = evaluator.golden(*graph->second, slice_batch(c.images, first, count),
                                 std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count));
  });
  return golden;
}

// Folds a batch (its first image `first` in the campaign) into `e`'s witness image and
// first non-finite node (ExperimentResult); `e`'s counts are those of the batches before.
void witness(ExperimentResult& e, const GraphGoldenBatch& g, const BatchEffect& be, long long first) {
  if (be.nonfinite_node >= 0 && (e.nonfinite_node < 0 || be.nonfinite_node < e.nonfinite_node))
    e.nonfinite_node = be.nonfinite_node;
  if (e.nonfinite_images > 0) return;  // the witness is the first non-finite image already
  for (int i = 0; i < g.size(); ++i) {
    const float m = be.margins[static_cast<std::size_t>(i)];
    const bool nonfinite = std::isnan(m);
    if (!nonfinite && e.image >= 0 && !(m < e.margin)) continue;
    e.image = first + i;
    e.golden_top1 = g.predictions[static_cast<std::size_t>(i)];
    e.faulty_top1 = be.predictions[static_cast<std::size_t>(i)];
    e.margin = m;
    if (nonfinite) return;
  }
}

class GraphCampaignEvaluator : public CampaignEvaluator {
 public:
  explicit GraphCampaignEvaluator(const Campaign& c)
      : c_(c), evaluator_(c.array), golden_(golden_batches(c, evaluator_)),
        mitigated_(c.array, c.graphs, c.config.mitigations, golden_, evaluator_,
                   [&c](std::size_t count, const std::function<void(std::size_t)>& job) {
                     parallel_for(c.config.threads, count, job);
                   }),
        columns_(GraphFaultEvaluator::array_nodes(*golden_.front().graph).size()) {}

  void describe(CampaignResults& r) const override {
    r.nodes = GraphFaultEvaluator::array_nodes(*golden_.front().graph);
    for (const Node& node : golden_.front().graph->nodes) r.graph_nodes.push_back(node.name);
    r.batches = static_cast<int>(golden_.size());
    r.batch_cycles = golden_.front().run.cycles;
    r.images = c_.images.dim(0);
    for (std::size_t v = 0; v < mitigated_.size(); ++v) r.variants.push_back(mitigated_.baseline(v));
    long long image = 0;
    for (const GraphGoldenBatch& g : golden_) {
      const Tensor& logits = g.run.outputs.at(0);
      const std::size_t classes = logits.size() / static_cast<std::size_t>(g.size());
      for (int i = 0; i < g.size(); ++i, ++image)
        if (!std::all_of(logits.data() + i * classes, logits.data() + (i + 1) * classes,
                         [](float x) { return std::isfinite(x); }))
          r.golden_nonfinite.push_back(image);
      r.cycles += g.run.cycles;
      r.golden_correct += std::count(g.correct.begin(), g.correct.end(), 1);
      r.golden_predictions.insert(r.golden_predictions.end(), g.predictions.begin(), g.predictions.end());
    }
  }

  void visit_runs(const HardwareFault& fault, const RunVisitor& visit) const override {
    const PeFaults faults(c_.array, {fault});
    int first = 0;
    for (const GraphGoldenBatch& g : golden_) {
      visit(first, g.run, evaluator_.full_run(g, faults));
      first += g.size();
    }
  }

  int struck(long long cycle) const override { return GraphFaultEvaluator::node_at_cycle(golden_.front(), cycle); }

  void evaluate(ExperimentResult& e, bool shortcut) const override {
    const PeFaults faults(c_.array, {e.fault});  // compiled once per experiment, for every batch and variant
    e.trace.assign(columns_, 0);
    long long first = 0;
    for (const GraphGoldenBatch& g : golden_) {
      const BatchEffect be = evaluator_.evaluate(g, e.fault, faults, shortcut);
      witness(e, g, be, first);
      e.correct_to_wrong += be.correct_to_wrong;
      e.nonfinite_images += be.nonfinite_images;
      for (std::size_t i = 0; i < columns_; ++i) e.trace[i] += be.trace[i];
      first += g.size();
    }
    e.outcome = classify_outcome(e.correct_to_wrong, e.nonfinite_images);
    for (std::size_t v = 0; v < mitigated_.size(); ++v)
      e.variants.push_back(mitigated_.evaluate(v, e.fault, faults, e, shortcut));
  }

 private:
  const Campaign& c_;
  GraphFaultEvaluator evaluator_;
  std::vector<GraphGoldenBatch> golden_;
  GraphMitigatedEvaluation mitigated_;  // the variants' fault-free runs, once
  std::size_t columns_ = 0;
};

void refuse_unsupported_keys(const WorkloadConfig& workload, const CampaignConfig& campaign,
                             const std::string& config_file) {
  if (workload.graph && !campaign.model.empty())
    throw InputError(config_file + ": campaign.model: a parameter file is for the built-in networks, not with a graph "
                                   "model (workload.model), which carries its own parameters: remove campaign.model");
}

// What errors call the model: the ONNX file or the network's name.
std::string model_label(const WorkloadConfig& workload) {
  return workload.graph ? workload.model : workload.network.name;
}

// Activation clipping acts at Relu nodes (workloads/models/relu_clip.h): a model without
// one has nothing to clip.
void require_relu(const WorkloadConfig& workload, const std::string& config_file, const Graph& g,
                  const std::string& key, const ActivationClip& clip) {
  if (clip.mode == ClipMode::none || relu_count(g) > 0) return;
  throw InputError(config_file + ": " + key + ": activation clipping acts at the Relu nodes of a graph model, and '" +
                   model_label(workload) + "' has none (Clip, LeakyRelu, Gelu, Sigmoid and Tanh are not clipped); remove " +
                   key);
}

// Checks the variants against the model; notes where pruning has nothing to prune.
void check_variants(const CampaignInputs& in, const Graph& g, std::ostream& notes) {
  const std::vector<MitigationVariant>& variants = in.campaign.mitigations;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const std::string key = "campaign.mitigations[" + std::to_string(i) + "]";
    require_relu(in.workload, in.file, g, key + ".activation_clip", variants[i].mitigations.clip);
    if (!variants[i].mitigations.prune_faulty_weights) continue;
    std::string nodes;
    for (const std::string& n : unprunable_nodes(g)) nodes += (nodes.empty() ? "" : ", ") + n;
    if (!nodes.empty())
      notes << "accsim: note: " << key << " (" << variants[i].name << "): the array nodes " << nodes
            << " hold an activation, not a parameter, in the PE weight registers: nothing is pruned there (docs/campaign.md)\n";
  }
}

void check_logits(const WorkloadConfig& workload, const std::string& config_file, const Graph& g) {
  const std::vector<int>& shape = g.shape_of(g.outputs.at(0));
  if (shape.size() != 2 || shape[0] != g.batch() || shape[1] < 2)
    throw InputError(config_file + (workload.graph ? ": workload.model" : ": workload.network") +
                     ": accsim campaign needs a classifier whose first output is logits [N, classes]; '" +
                     model_label(workload) + "' gives " + g.outputs[0] + " " +
                     Tensor(shape).shape_string());
}

// The fault-free model's predictions as the labels of synthetic images.
std::vector<int> predicted_labels(const Campaign& c, const Tensor& images) {
  std::vector<int> labels;
  const int n = images.dim(0);
  const PeFaults healthy;
  FastEngine engine(c.array, healthy);
  const int batch = c.graphs.rbegin()->first;  // the full batch is the largest
  for (int first = 0; first < n; first += batch) {
    const int count = std::min(batch, n - first);
    const Tensor logits = run_graph(*c.graphs.at(count), slice_batch(images, first, count), engine, false).outputs.at(0);
    for (int i = 0; i < count; ++i)
      labels.push_back(argmax_row(logits.data() + static_cast<std::size_t>(i) * logits.dim(1), logits.dim(1)));
  }
  return labels;
}

}  // namespace

std::shared_ptr<const Graph> load_graph_model(const WorkloadConfig& workload, const ActivationClip& clip,
                                              const std::string& config_file, int batch) {
  require_relu(workload, config_file, *workload.graph, "mitigations.activation_clip", clip);
  const bool as_is = clip.mode == ClipMode::none || has_relu_clip(*workload.graph, clip);
  if (workload.graph->batch() == batch && as_is) return workload.graph;
  Graph g = workload.graph->batch() == batch ? *workload.graph : load_onnx_model(workload.model, batch);
  if (clip.mode != ClipMode::none) set_relu_clips(g, clip);
  return std::make_shared<const Graph>(std::move(g));
}

void refuse_graph_campaign_keys(const WorkloadConfig& workload, const CampaignConfig& campaign,
                                const std::string& config_file) {
  refuse_unsupported_keys(workload, campaign, config_file);
}

CampaignSource load_graph_campaign(const CampaignInputs& in, std::uint64_t seed, std::ostream& notes) {
  refuse_unsupported_keys(in.workload, in.campaign, in.file);
  const CampaignConfig& cc = in.campaign;
  const CampaignModel model =
      load_campaign_model(in.workload, in.clip, in.file, "campaign.model", cc.model, seed, notes);
  CampaignSource src;
  Campaign& c = src.campaign;
  c.array = in.array;
  c.config = cc;
  c.seed = seed;
  c.model_origin = model.origin;
  const int batch = std::min(cc.batch, cc.test_limit);
  for (int size : {batch, cc.test_limit % batch})
    if (size > 0 && !c.graphs.count(size)) c.graphs[size] = model.at(size);
  const Graph& g = *c.graphs.at(batch);
  check_logits(in.workload, in.file, g);
  check_variants(in, g, notes);
  src.model_source = !model.source.empty() ? model.source
                                           : "ONNX model " + in.workload.model + " (" + std::to_string(g.nodes.size()) +
                                                 " nodes, " + std::to_string(GraphFaultEvaluator::array_nodes(g).size()) +
                                                 " on the array)";
  const std::vector<int> image(g.inputs.at(0).shape.begin() + 1, g.inputs.at(0).shape.end());
  const std::string input_name = in.workload.graph ? "the model's input (per image)" : "workload.network.input";
  WorkloadInput images =
      load_test_images(in.workload, in.file, image, input_name, cc.test_offset, cc.test_limit, seed, notes);
  c.images = std::move(images.images);
  src.input_source = std::move(images.source);
  if (!images.synthetic()) {
    c.labels = std::move(images.labels);
    return src;
  }
  notes << "accsim: note: the synthetic images are labelled with the fault-free model's predictions (an SDC is any "
           "changed prediction)\n";
  c.labels = predicted_labels(c, c.images);
  return src;
}

std::unique_ptr<CampaignEvaluator> make_graph_campaign_evaluator(const Campaign& campaign) {
  return std::make_unique<GraphCampaignEvaluator>(campaign);
}

}  // namespace accsim
