#include "workloads/campaign/graph_campaign.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/input_error.h"
#include "arch/pe_faults.h"
#include "workloads/run/engines.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/models/graph_fault_evaluator.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/workload_input.h"

namespace accsim {

namespace {

class GraphCampaignEvaluator : public CampaignEvaluator {
 public:
  explicit GraphCampaignEvaluator(const Campaign& c) : c_(c), evaluator_(c.array) {
    if (!c.config.mitigations.empty())
      throw std::invalid_argument("graph campaign: mitigation variants are not supported on graph models");
    const int n = c.images.dim(0), batch = std::min(c.config.batch, n);
    golden_.resize(static_cast<std::size_t>((n + batch - 1) / batch));
    parallel_for(c.config.threads, golden_.size(), [&](std::size_t b) {
      const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
      const auto graph = c.graphs.find(count);
      if (graph == c.graphs.end())
        throw std::invalid_argument("graph campaign: no graph for batches of " + std::to_string(count) + " images");
      golden_[b] = evaluator_.golden(*graph->second, slice_batch(c.images, first, count),
                                     std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count));
    });
    columns_ = GraphFaultEvaluator::array_nodes(*golden_.front().graph).size();
  }

  void describe(CampaignResults& r) const override {
    r.nodes = GraphFaultEvaluator::array_nodes(*golden_.front().graph);
    r.batches = static_cast<int>(golden_.size());
    r.batch_cycles = golden_.front().run.cycles;
    r.images = c_.images.dim(0);
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

  int struck(long long cycle) const override { return GraphFaultEvaluator::node_at_cycle(golden_.front(), cycle); }

  void evaluate(ExperimentResult& e, bool shortcut) const override {
    const PeFaults faults(c_.array, {e.fault});  // compiled once per experiment, for every batch
    e.trace.assign(columns_, 0);
    for (const GraphGoldenBatch& g : golden_) {
      const BatchEffect be = evaluator_.evaluate(g, e.fault, faults, shortcut);
      e.correct_to_wrong += be.correct_to_wrong;
      e.nonfinite_images += be.nonfinite_images;
      for (std::size_t i = 0; i < columns_; ++i) e.trace[i] += be.trace[i];
    }
    e.outcome = classify_outcome(e.correct_to_wrong, e.nonfinite_images);
  }

 private:
  const Campaign& c_;
  GraphFaultEvaluator evaluator_;
  std::vector<GraphGoldenBatch> golden_;
  std::size_t columns_ = 0;
};

void refuse_unsupported_keys(const RunConfig& rc) {
  const CampaignConfig& cc = *rc.campaign;
  const std::string with = " with a graph model (workload.model)";
  if (!cc.model.empty())
    throw InputError(rc.file + ": campaign.model: a parameter file is for the built-in networks, not" + with +
                     ", which carries its own parameters: remove campaign.model");
  if (!cc.mitigations.empty())
    throw InputError(rc.file + ": campaign.mitigations: mitigation variants are not supported" + with +
                     " yet; remove campaign.mitigations, or measure them on a built-in network");
  if (rc.mitigations.any())
    throw InputError(rc.file + ": mitigations: not supported" + with + " yet; remove the top-level mitigations object");
}

// The model at `batch` images: the config's own graph when it has that batch.
std::shared_ptr<const Graph> graph_at(const RunConfig& rc, int batch) {
  if (rc.workload.graph->batch() == batch) return rc.workload.graph;
  return std::make_shared<const Graph>(load_onnx_model(rc.workload.model, batch));
}

void check_logits(const RunConfig& rc, const Graph& g) {
  const std::vector<int>& shape = g.shape_of(g.outputs.at(0));
  if (shape.size() != 2 || shape[0] != g.batch() || shape[1] < 2)
    throw InputError(rc.file + ": workload.model: accsim campaign needs a classifier whose first output is logits "
                               "[N, classes]; '" + rc.workload.model + "' gives " + g.outputs[0] + " " +
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

CampaignSource load_graph_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes) {
  refuse_unsupported_keys(rc);
  const CampaignConfig& cc = *rc.campaign;
  CampaignSource src;
  Campaign& c = src.campaign;
  c.array = rc.array;
  c.config = cc;
  c.seed = seed;
  c.model_origin = rc.file + ": workload.model";
  const int batch = std::min(cc.batch, cc.test_limit);
  for (int size : {batch, cc.test_limit % batch})
    if (size > 0 && !c.graphs.count(size)) c.graphs[size] = graph_at(rc, size);
  const Graph& g = *c.graphs.at(batch);
  check_logits(rc, g);
  src.model_source = "ONNX model " + rc.workload.model + " (" + std::to_string(g.nodes.size()) + " nodes, " +
                     std::to_string(GraphFaultEvaluator::array_nodes(g).size()) + " on the array)";
  const std::vector<int> image(g.inputs.at(0).shape.begin() + 1, g.inputs.at(0).shape.end());
  WorkloadInput in = load_test_images(rc, image, "the model's input (per image)", cc.test_offset, cc.test_limit, seed, notes);
  c.images = std::move(in.images);
  src.input_source = std::move(in.source);
  if (!in.synthetic()) {
    c.labels = std::move(in.labels);
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
