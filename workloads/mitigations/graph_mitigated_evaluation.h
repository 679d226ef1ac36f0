#pragma once
// A campaign's mitigation variants (campaign.mitigations; any model, as a graph): every
// experiment's fault, the same one as in the unprotected run, evaluated under each
// variant on every batch (docs/campaign.md):
//  - protect_bits: a fault on a protected bit never acts: masked, nothing runs.
//  - activation_clip: every Relu node of the model clips (workloads/models/relu_clip.h),
//    in the faulty run and in the variant's own recorded fault-free run (its own
//    predictions and correct set); the faulty run is the incremental rerun against it.
//  - prune_faulty_weights: the weights the faulty PE meets are zeroed in their
//    initializers (graph_pruning.h), and the pruned initializers rerun what they reach
//    against the recorded fault-free run of the unpruned model, which stays the
//    reference. Faults without a footprint (psum, accumulator, transients) prune
//    nothing: the variant's result is its result without pruning.
//  - check abft / duplicate: the whole graph of every batch runs again under a
//    CheckedEngine decorating the faulty FastEngine (every array job of every node is
//    checked). A job the check flags and re-execution does not correct makes the
//    experiment a DUE; a transient strikes the checked run at its cycle, on the checked
//    run's (longer) timeline.
// A variant that combines keys applies all of them; a variant whose graph, parameters
// and engine are those of the unprotected run for a fault takes the unprotected result
// without running. With the shortcut off every run is a full run of the graph: both
// give bit-identical results (tests/workloads/mitigations/graph_campaign_mitigations_test.cpp).
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "workloads/campaign/campaign_types.h"
#include "workloads/experiments/parallel_for.h"
#include "workloads/models/graph_fault_evaluator.h"

namespace accsim {

class GraphMitigatedEvaluation {
 public:
  // `graphs`: the campaign's model per batch size; `golden`: its recorded fault-free
  // batches, made by `evaluator`. Keeps references to `golden` and `evaluator`, which
  // must outlive it; records the variants' fault-free batches (own runs of clip
  // variants, checked runs of check variants) through `parallel`.
  GraphMitigatedEvaluation(const ArrayConfig& array, const std::map<int, std::shared_ptr<const Graph>>& graphs,
                           const std::vector<MitigationVariant>& variants, const std::vector<GraphGoldenBatch>& golden,
                           const GraphFaultEvaluator& evaluator, const ParallelFor& parallel);
  ~GraphMitigatedEvaluation();
  GraphMitigatedEvaluation(const GraphMitigatedEvaluation&) = delete;
  GraphMitigatedEvaluation& operator=(const GraphMitigatedEvaluation&) = delete;

  std::size_t size() const { return variants_.size(); }
  const VariantBaseline& baseline(std::size_t variant) const;

  // `fault` (compiled as `faults`) under variant `variant`, over every batch;
  // `unprotected` is the experiment's unprotected result. Thread-safe (const).
  VariantResult evaluate(std::size_t variant, const HardwareFault& fault, const PeFaults& faults,
                         const ExperimentResult& unprotected, bool shortcut = true) const;

 private:
  struct Variant;
  VariantResult clipped(const Variant& v, const HardwareFault& fault, const PeFaults& faults, bool shortcut) const;
  VariantResult pruned_run(const Variant& v, const HardwareFault& fault, const PeFaults& faults,
                       const std::map<int, Graph>& graphs, const std::set<std::string>& changed, bool shortcut) const;
  VariantResult checked(const Variant& v, const PeFaults& faults, const std::map<int, Graph>& pruned) const;
  const GraphGoldenBatch& reference(const Variant& v, std::size_t batch) const;

  ArrayConfig array_;
  const std::vector<GraphGoldenBatch>& golden_;
  const GraphFaultEvaluator& evaluator_;
  std::vector<std::unique_ptr<Variant>> variants_;  // stable addresses: records point to their graphs
};

}  // namespace accsim
