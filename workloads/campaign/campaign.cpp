#include "workloads/campaign/campaign.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/campaign/campaign_evaluator.h"
#include "workloads/campaign/campaign_fault.h"
#include "workloads/campaign/campaign_result_codec.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/experiments/nonfinite_golden.h"
#include "workloads/campaign/fault_evaluator.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/mitigations/mitigated_evaluation.h"

namespace accsim {

namespace {

// The chain network: FaultEvaluator's shortcut per batch, and the mitigation variants.
class ChainEvaluator : public CampaignEvaluator {
 public:
  explicit ChainEvaluator(const Campaign& c)
      : evaluator_(c.array, c.network, c.params), golden_(golden_batches(c, evaluator_)),
        mitigated_(c.array, c.network, c.params, c.config.mitigations, golden_,
                   [&c](std::size_t count, const std::function<void(std::size_t)>& job) {
                     parallel_for(c.config.threads, count, job);
                   }),
        layers_(c.network.layers.size()) {
    for (const auto& l : c.network.layers) names_.push_back(l.name);
  }

  void describe(CampaignResults& r) const override {
    r.nodes = names_;
    r.batches = static_cast<int>(golden_.size());
    r.batch_cycles = golden_.front().run.cycles;
    for (std::size_t v = 0; v < mitigated_.size(); ++v) r.variants.push_back(mitigated_.baseline(v));
    for (const auto& g : golden_) {
      r.images += g.size();
      r.cycles += g.run.cycles;
      for (char ok : g.correct) r.golden_correct += ok;
      for (int i = 0; i < g.size(); ++i)
        if (g.nonfinite[static_cast<std::size_t>(i)]) r.golden_nonfinite.push_back(r.images - g.size() + i);
      r.golden_predictions.insert(r.golden_predictions.end(), g.predictions.begin(), g.predictions.end());
    }
  }

  int struck(long long cycle) const override { return FaultEvaluator::layer_at_cycle(golden_.front().run, cycle); }

  void evaluate(ExperimentResult& e, bool shortcut) const override {
    e.trace.assign(layers_, 0);
    for (const GoldenBatch& g : golden_) {
      const BatchEffect be = evaluator_.evaluate(g, e.fault, shortcut);
      e.correct_to_wrong += be.correct_to_wrong;
      e.nonfinite_images += be.nonfinite_images;
      for (std::size_t l = 0; l < layers_; ++l) e.trace[l] += be.trace[l];
    }
    e.outcome = classify_outcome(e.correct_to_wrong, e.nonfinite_images);
    for (std::size_t v = 0; v < mitigated_.size(); ++v)
      e.variants.push_back(mitigated_.evaluate(v, e.fault, e, shortcut));
  }

 private:
  // The fault-free run of every batch, once.
  static std::vector<GoldenBatch> golden_batches(const Campaign& c, const FaultEvaluator& evaluator) {
    const int n = c.images.dim(0), batch = std::min(c.config.batch, n);
    std::vector<GoldenBatch> golden(static_cast<std::size_t>((n + batch - 1) / batch));
    parallel_for(c.config.threads, golden.size(), [&](std::size_t b) {
      const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
      golden[b] = evaluator.golden(slice_batch(c.images, first, count),
                                   std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count));
    });
    return golden;
  }

  FaultEvaluator evaluator_;
  std::vector<GoldenBatch> golden_;
  MitigatedEvaluation mitigated_;  // the variants' fault-free runs, once
  std::size_t layers_;
  std::vector<std::string> names_;
};

}  // namespace

Tensor slice_batch(const Tensor& images, int first, int count) {
  std::vector<int> shape = images.shape();
  const std::size_t per = images.size() / static_cast<std::size_t>(shape.at(0));
  shape[0] = count;
  Tensor t(shape);
  std::copy(images.data() + first * per, images.data() + (first + count) * per, t.data());
  return t;
}

const std::vector<std::string>& outcome_names() {
  static const std::vector<std::string> names{"masked", "sdc", "crash", "due"};
  return names;
}

std::string to_string(Outcome o) { return outcome_names().at(static_cast<std::size_t>(o)); }

Outcome classify_outcome(long long correct_to_wrong, long long nonfinite_images) {
  if (nonfinite_images > 0) return Outcome::crash;
  if (correct_to_wrong > 0) return Outcome::sdc;
  return Outcome::masked;
}

CampaignResults run_campaign(const Campaign& c, const CampaignRunOptions& options) {
  const int n = c.images.rank() >= 2 ? c.images.dim(0) : 0;
  if (n < 1 || static_cast<std::size_t>(n) != c.labels.size())
    throw std::invalid_argument("run_campaign: " + std::to_string(c.labels.size()) + " labels for images " +
                                c.images.shape_string());
  if (c.config.batch < 1 || c.config.experiments < 1) throw std::invalid_argument("run_campaign: batch and experiments must be >= 1");
  const std::unique_ptr<CampaignEvaluator> evaluator =
      c.on_graph() ? make_graph_campaign_evaluator(c) : std::make_unique<ChainEvaluator>(c);

  CampaignResults r;
  r.key = campaign_key(c);
  evaluator->describe(r);
  std::vector<long long> nonfinite;
  for (long long i : r.golden_nonfinite) nonfinite.push_back(c.config.test_offset + i);
  refuse_nonfinite_golden(c.model_origin, nonfinite, r.images);
  const auto total = static_cast<std::size_t>(c.config.experiments);
  r.experiments.resize(total);
  r.done.assign(total, 0);
  for (std::size_t i = 0; i < total; ++i) {
    ExperimentResult& e = r.experiments[i];
    e.fault = draw_campaign_fault(c.config, c.array, c.seed, static_cast<long long>(i), r.batch_cycles);
    if (!e.fault.permanent()) e.node = evaluator->struck(e.fault.cycle);
  }
  if (!options.checkpoint.empty() && std::filesystem::exists(options.checkpoint))
    r.resumed = read_campaign_checkpoint(options.checkpoint, r);

  const std::vector<std::size_t> pending = pending_experiments(r.done, options.max_experiments);

  ExperimentRunnerOptions runner;
  runner.threads = c.config.threads;
  runner.checkpoint_seconds = c.config.checkpoint_seconds;
  runner.progress_seconds = options.progress_seconds;
  runner.stop = options.stop;
  runner.progress = options.progress;
  std::function<std::function<void()>()> checkpoint;
  if (!options.checkpoint.empty())
    checkpoint = [&] {
      auto snapshot = std::make_shared<CampaignResults>(r);
      snapshot->done_count = std::count(r.done.begin(), r.done.end(), 1);
      return [snapshot, &options] { write_campaign_checkpoint(options.checkpoint, *snapshot); };
    };
  run_distributed(  // over the MPI ranks when started by mpirun (docs/scale_out.md)
      pending, r.done,
      [&](const std::vector<std::size_t>& group) -> std::function<void()> {
        const std::size_t i = group.front();  // groups of one
        ExperimentResult e;
        e.fault = r.experiments[i].fault;  // written before the workers started
        e.node = r.experiments[i].node;
        evaluator->evaluate(e, options.shortcut);
        return [&r, i, e = std::move(e)]() mutable { r.experiments[i] = std::move(e); };
      },
      checkpoint, campaign_result_codec(r.experiments), runner);
  r.done_count = std::count(r.done.begin(), r.done.end(), 1);
  return r;
}

}  // namespace accsim
