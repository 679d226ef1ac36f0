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
#include "workloads/campaign/graph_campaign.h"

namespace accsim {

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

ExperimentResult planned_experiment(const Campaign& c, const CampaignEvaluator& evaluator, long long batch_cycles,
                                    long long index) {
  ExperimentResult e;
  e.fault = draw_campaign_fault(c.config, c.array, c.seed, index, batch_cycles);
  if (!e.fault.permanent()) e.node = evaluator.struck(e.fault.cycle);
  return e;
}

CampaignResults run_campaign(const Campaign& c, const CampaignRunOptions& options) {
  const int n = c.images.rank() >= 2 ? c.images.dim(0) : 0;
  if (n < 1 || static_cast<std::size_t>(n) != c.labels.size())
    throw std::invalid_argument("run_campaign: " + std::to_string(c.labels.size()) + " labels for images " +
                                c.images.shape_string());
  if (c.config.batch < 1 || c.config.experiments < 1) throw std::invalid_argument("run_campaign: batch and experiments must be >= 1");
  const std::unique_ptr<CampaignEvaluator> evaluator = make_graph_campaign_evaluator(c);

  CampaignResults r;
  r.key = campaign_key(c);
  evaluator->describe(r);
  std::vector<long long> nonfinite;
  for (long long i : r.golden_nonfinite) nonfinite.push_back(c.config.test_offset + i);
  refuse_nonfinite_golden(c.model_origin, nonfinite, r.images);
  const auto total = static_cast<std::size_t>(c.config.experiments);
  r.experiments.resize(total);
  r.done.assign(total, 0);
  for (std::size_t i = 0; i < total; ++i)
    r.experiments[i] = planned_experiment(c, *evaluator, r.batch_cycles, static_cast<long long>(i));
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
