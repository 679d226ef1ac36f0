#pragma once
// What a campaign runs its experiments on (workloads/campaign/graph_campaign.h: any model,
// as a graph): it computes the fault-free run of every batch once, then evaluates one
// experiment's fault on every batch; the campaign's loop (fault draws, workers,
// checkpoints) is in campaign.cpp.
#include <functional>

#include "arch/tensor.h"
#include "workloads/campaign/campaign_types.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

class CampaignEvaluator {
 public:
  virtual ~CampaignEvaluator() = default;
  // The results' header: trace columns (`nodes`), batches, batch_cycles,
  // images, golden_correct, golden_predictions, cycles and the variants' baselines.
  virtual void describe(CampaignResults& results) const = 0;
  // The trace column a transient at run cycle `cycle` strikes in a full batch's run; -1: none.
  virtual int struck(long long cycle) const = 0;
  // Fills the outcome, counts, trace and variant results of `e`, whose fault is set.
  // Thread-safe (const). `shortcut`: false recomputes everything (the reference).
  virtual void evaluate(ExperimentResult& e, bool shortcut) const = 0;
  // For a replay's full record: per batch, in order, `visit(first image, fault-free run,
  // faulty run)`, the faulty run recomputing every node (the reference evaluate() is
  // bit-identical to).
  using RunVisitor = std::function<void(int first, const GraphRun& golden, const GraphRun& faulty)>;
  virtual void visit_runs(const HardwareFault& fault, const RunVisitor& visit) const = 0;
};

// Experiment `index`'s fault (campaign_fault.h) and the trace column a transient strikes,
// as run_campaign plans it (and a replay, workloads/replay/campaign_replay.h).
ExperimentResult planned_experiment(const Campaign& campaign, const CampaignEvaluator& evaluator,
                                    long long batch_cycles, long long index);

// Images [first, first + count) of a batch [N, ...].
Tensor slice_batch(const Tensor& images, int first, int count);

}  // namespace accsim
