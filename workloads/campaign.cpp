#include "workloads/campaign.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "workloads/campaign_checkpoint.h"
#include "workloads/campaign_fault.h"
#include "workloads/experiment_runner.h"
#include "workloads/fault_evaluator.h"
#include "workloads/mitigated_evaluation.h"

namespace accsim {

namespace {

Tensor slice_images(const Tensor& images, int first, int count) {
  Tensor t({count, images.dim(1), images.dim(2), images.dim(3)});
  const std::size_t per = images.size() / static_cast<std::size_t>(images.dim(0));
  std::copy(images.data() + first * per, images.data() + (first + count) * per, t.data());
  return t;
}

}  // namespace

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
  const int n = c.images.rank() == 4 ? c.images.dim(0) : 0;
  if (n < 1 || static_cast<std::size_t>(n) != c.labels.size())
    throw std::invalid_argument("run_campaign: " + std::to_string(c.labels.size()) + " labels for images " +
                                c.images.shape_string());
  if (c.config.batch < 1 || c.config.experiments < 1) throw std::invalid_argument("run_campaign: batch and experiments must be >= 1");
  const FaultEvaluator evaluator(c.array, c.network, c.params);

  // The fault-free run of every batch, once.
  const int batch = std::min(c.config.batch, n);
  const int batches = (n + batch - 1) / batch;
  std::vector<GoldenBatch> golden(static_cast<std::size_t>(batches));
  parallel_for(c.config.threads, golden.size(), [&](std::size_t b) {
    const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
    golden[b] = evaluator.golden(slice_images(c.images, first, count),
                                 std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count));
  });

  // The mitigation variants' fault-free runs, once.
  const MitigatedEvaluation mitigated(c.array, c.network, c.params, c.config.mitigations, golden,
                                      [&](std::size_t count, const std::function<void(std::size_t)>& job) {
                                        parallel_for(c.config.threads, count, job);
                                      });

  CampaignResults r;
  r.key = campaign_key(c);
  for (const auto& l : c.network.layers) r.layers.push_back(l.name);
  r.batches = batches;
  r.batch_cycles = golden.front().run.cycles;
  r.images = n;
  for (std::size_t v = 0; v < mitigated.size(); ++v) r.variants.push_back(mitigated.baseline(v));
  for (const auto& g : golden) {
    r.cycles += g.run.cycles;
    for (char ok : g.correct) r.golden_correct += ok;
    r.golden_predictions.insert(r.golden_predictions.end(), g.predictions.begin(), g.predictions.end());
  }
  const auto total = static_cast<std::size_t>(c.config.experiments);
  r.experiments.resize(total);
  r.done.assign(total, 0);
  for (std::size_t i = 0; i < total; ++i) {
    ExperimentResult& e = r.experiments[i];
    e.fault = draw_campaign_fault(c.config, c.array, c.seed, static_cast<long long>(i), r.batch_cycles);
    if (!e.fault.permanent()) e.layer = FaultEvaluator::layer_at_cycle(golden.front().run, e.fault.cycle);
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
  run_experiments(
      pending, r.done,
      [&](const std::vector<std::size_t>& group) -> std::function<void()> {
        const std::size_t i = group.front();  // groups of one
        ExperimentResult e;
        e.fault = r.experiments[i].fault;  // written before the workers started
        e.layer = r.experiments[i].layer;
        e.trace.assign(r.layers.size(), 0);
        for (const GoldenBatch& g : golden) {
          const BatchEffect be = evaluator.evaluate(g, e.fault, options.shortcut);
          e.correct_to_wrong += be.correct_to_wrong;
          e.nonfinite_images += be.nonfinite_images;
          for (std::size_t l = 0; l < e.trace.size(); ++l) e.trace[l] += be.trace[l];
        }
        e.outcome = classify_outcome(e.correct_to_wrong, e.nonfinite_images);
        for (std::size_t v = 0; v < mitigated.size(); ++v)
          e.variants.push_back(mitigated.evaluate(v, e.fault, e, options.shortcut));
        return [&r, i, e = std::move(e)]() mutable { r.experiments[i] = std::move(e); };
      },
      checkpoint, runner);
  r.done_count = std::count(r.done.begin(), r.done.end(), 1);
  return r;
}

}  // namespace accsim
