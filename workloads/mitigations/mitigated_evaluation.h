#pragma once
// A campaign's mitigation variants (`campaign.mitigations`, docs/campaign.md): every
// experiment's fault, the same one as in the unprotected run, evaluated under each
// variant on every batch of the test images.
//
//  - protect_bits: a fault on a protected bit never acts (faultmodels/bit_protection.h):
//    masked, nothing runs.
//  - activation_clip: the network's clip is the variant's, in the faulty run and in the
//    variant's own fault-free run (its own predictions and correct set), through the
//    FaultEvaluator shortcut.
//  - prune_faulty_weights: the faulty run uses the parameters with the weights the faulty
//    PE meets zeroed (workloads/mitigations/fault_aware_pruning.h), compared with the unpruned
//    fault-free model; every layer runs again (run_network). For faults without a
//    footprint (psum, accumulator, transients) pruning does nothing and the variant's
//    result is its result without pruning.
//  - check abft / duplicate: every layer runs again under a CheckedEngine decorating the
//    faulty FastEngine (run(), not run_encoded()). A job the check flags and
//    re-execution does not correct makes the experiment a DUE; a transient strikes the
//    checked run at its cycle, on the checked run's (longer) timeline.
// A variant that combines keys applies all of them. A variant whose network, parameters
// and engine are those of the unprotected run (e.g. pruning on a psum fault) takes the
// unprotected result without running.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "workloads/campaign/campaign_types.h"
#include "workloads/campaign/fault_evaluator.h"

namespace accsim {

// Runs job(i) for i in [0, count), possibly on several threads.
using ParallelFor = std::function<void(std::size_t count, const std::function<void(std::size_t)>& job)>;

class MitigatedEvaluation {
 public:
  // `golden`: the unprotected fault-free batches of `net` and `params`. Keeps references
  // to `params` and `golden`, which must outlive it; runs the variants' fault-free
  // batches (own golden runs of clip variants, checked runs of check variants) through
  // `parallel`.
  MitigatedEvaluation(const ArrayConfig& array, const Network& net, const NetworkParameters& params,
                      const std::vector<MitigationVariant>& variants, const std::vector<GoldenBatch>& golden,
                      const ParallelFor& parallel);
  ~MitigatedEvaluation();
  MitigatedEvaluation(const MitigatedEvaluation&) = delete;
  MitigatedEvaluation& operator=(const MitigatedEvaluation&) = delete;

  std::size_t size() const { return variants_.size(); }
  const VariantBaseline& baseline(std::size_t variant) const;

  // `fault` under variant `variant`, over every batch; `unprotected` is the experiment's
  // unprotected result (outcome and counts), taken as it is when the variant changes
  // nothing for this fault. Thread-safe (const). `shortcut` as in FaultEvaluator.
  VariantResult evaluate(std::size_t variant, const HardwareFault& fault, const ExperimentResult& unprotected,
                         bool shortcut = true) const;

 private:
  struct Variant;
  ArrayConfig array_;
  const NetworkParameters& params_;
  const std::vector<GoldenBatch>& golden_;
  std::vector<std::unique_ptr<Variant>> variants_;  // stable addresses: evaluators refer to their networks
};

}  // namespace accsim
