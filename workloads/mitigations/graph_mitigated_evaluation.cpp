#include "workloads/mitigations/graph_mitigated_evaluation.h"

#include <stdexcept>

#include "faultmodels/bit_protection.h"
#include "faultmodels/checked_engine.h"
#include "workloads/mitigations/graph_pruning.h"
#include "workloads/mitigations/variant_baseline.h"
#include "workloads/models/relu_clip.h"
#include "workloads/run/engines.h"

namespace accsim {

namespace {

using GraphsBySize = std::map<int, std::shared_ptr<const Graph>>;

// The model with every Relu node clipping at `clip`, per batch size.
GraphsBySize with_clip(const GraphsBySize& graphs, const ActivationClip& clip) {
  GraphsBySize out;
  for (const auto& [size, graph] : graphs) {
    Graph g = *graph;
    set_relu_clips(g, clip);
    out[size] = std::make_shared<const Graph>(std::move(g));
  }
  return out;
}

void add_effect(VariantResult& r, const BatchEffect& e) {
  r.correct_to_wrong += e.correct_to_wrong;
  r.nonfinite_images += e.nonfinite_images;
}

const Tensor& batch_input(const GraphGoldenBatch& g) { return g.run.values.at(g.graph->inputs.at(0).name); }

}  // namespace

struct GraphMitigatedEvaluation::Variant {
  MitigationConfig config;
  GraphsBySize graphs;                       // the campaign's model, with the variant's clip
  bool own_clip = false;                     // the clip differs from the campaign model's
  std::vector<GraphGoldenBatch> own_golden;  // records of `graphs` (own_clip only)
  std::unique_ptr<GraphPruning> pruning;     // prune_faulty_weights only
  std::uint32_t protect = 0;
  VariantBaseline baseline;
};

GraphMitigatedEvaluation::GraphMitigatedEvaluation(const ArrayConfig& array, const GraphsBySize& graphs,
                                                   const std::vector<MitigationVariant>& variants,
                                                   const std::vector<GraphGoldenBatch>& golden,
                                                   const GraphFaultEvaluator& evaluator, const ParallelFor& parallel)
    : array_(array), golden_(golden), evaluator_(evaluator) {
  for (const MitigationVariant& mv : variants) {
    auto v = std::make_unique<Variant>();
    v->config = mv.mitigations;
    const ActivationClip& clip = mv.mitigations.clip;
    v->own_clip = clip.mode != ClipMode::none && !has_relu_clip(*graphs.begin()->second, clip);
    v->graphs = v->own_clip ? with_clip(graphs, clip) : graphs;
    if (v->own_clip) v->own_golden.resize(golden.size());
    // The weights a PE meets do not depend on the batch size: pruned on the full batch's jobs.
    if (mv.mitigations.prune_faulty_weights)
      v->pruning = std::make_unique<GraphPruning>(array, *graphs.rbegin()->second);
    v->protect = protection_mask(mv.mitigations.protect_bits);
    v->baseline = variant_baseline(mv, array);
    variants_.push_back(std::move(v));
  }

  // The fault-free batches of every variant: its own record (clip) and its checked run
  // (check), for the cycles and the checks' false positives.
  const std::size_t batches = golden.size();
  std::vector<long long> cycles(variants_.size() * batches, 0);
  std::vector<CheckStats> stats(variants_.size() * batches);
  parallel(variants_.size() * batches, [&](std::size_t task) {
    Variant& v = *variants_[task / batches];
    const std::size_t b = task % batches;
    const Graph& graph = *v.graphs.at(golden[b].size());
    if (v.own_clip) v.own_golden[b] = evaluator.golden(graph, batch_input(golden[b]), golden[b].labels);
    if (v.config.check == MitigationCheck::none) {
      cycles[task] = reference(v, b).run.cycles;
      return;
    }
    const PeFaults healthy;
    FastEngine fast(array_, healthy);
    CheckedEngine checked(fast, array_, check_kind(v.config.check));
    cycles[task] = run_graph(graph, batch_input(golden[b]), checked, false).cycles;
    stats[task] = checked.stats();
  });
  for (std::size_t i = 0; i < variants_.size(); ++i) {
    Variant& v = *variants_[i];
    add_fault_free_batches(v.baseline, std::vector<long long>(cycles.begin() + i * batches, cycles.begin() + (i + 1) * batches),
                           std::vector<CheckStats>(stats.begin() + i * batches, stats.begin() + (i + 1) * batches));
    for (std::size_t b = 0; b < batches; ++b)
      for (char ok : reference(v, b).correct) v.baseline.golden_correct += ok;
  }
}

GraphMitigatedEvaluation::~GraphMitigatedEvaluation() = default;

const VariantBaseline& GraphMitigatedEvaluation::baseline(std::size_t variant) const {
  return variants_.at(variant)->baseline;
}

const GraphGoldenBatch& GraphMitigatedEvaluation::reference(const Variant& v, std::size_t batch) const {
  return v.own_clip ? v.own_golden[batch] : golden_[batch];
}

VariantResult GraphMitigatedEvaluation::evaluate(std::size_t variant, const HardwareFault& fault, const PeFaults& faults,
                                                 const ExperimentResult& unprotected, bool shortcut) const {
  const Variant& v = *variants_.at(variant);
  const bool check = v.config.check != MitigationCheck::none;
  if (v.protect != 0 && is_protected(fault, v.protect)) {  // never acts: the fault-free run
    VariantResult r;
    r.cycles = check ? v.baseline.cycles : 0;
    return r;
  }
  PruningMasks masks;
  if (v.pruning && fault.permanent()) masks = v.pruning->masks({fault});
  std::map<int, Graph> pruned;  // per batch size, with the masked weights zeroed
  std::set<std::string> changed;
  for (const auto& [name, mask] : masks) changed.insert(name);
  if (!masks.empty())
    for (const auto& [size, graph] : v.graphs) apply_pruning(pruned.emplace(size, *graph).first->second, masks);

  if (check) return checked(v, faults, pruned);
  if (!pruned.empty()) return pruned_run(v, fault, faults, pruned, changed, shortcut);
  if (v.own_clip) return clipped(v, fault, faults, shortcut);
  VariantResult r;  // the unprotected graph, parameters and engine: the unprotected result
  r.outcome = unprotected.outcome;
  r.correct_to_wrong = unprotected.correct_to_wrong;
  r.nonfinite_images = unprotected.nonfinite_images;
  return r;
}

VariantResult GraphMitigatedEvaluation::clipped(const Variant& v, const HardwareFault& fault, const PeFaults& faults,
                                                bool shortcut) const {
  VariantResult r;
  for (const GraphGoldenBatch& g : v.own_golden) add_effect(r, evaluator_.evaluate(g, fault, faults, shortcut));
  r.outcome = classify_outcome(r.correct_to_wrong, r.nonfinite_images);
  return r;
}

VariantResult GraphMitigatedEvaluation::pruned_run(const Variant& v, const HardwareFault& fault, const PeFaults& faults,
                                                   const std::map<int, Graph>& graphs,
                                                   const std::set<std::string>& changed, bool shortcut) const {
  VariantResult r;
  for (std::size_t b = 0; b < golden_.size(); ++b) {
    const GraphGoldenBatch& g = reference(v, b);
    const ChangedParameters model{&graphs.at(g.size()), changed};
    add_effect(r, evaluator_.evaluate(g, fault, faults, shortcut, &model));
  }
  r.outcome = classify_outcome(r.correct_to_wrong, r.nonfinite_images);
  return r;
}

// Every batch again on the faulty array under the check: no shortcut, as on chains.
VariantResult GraphMitigatedEvaluation::checked(const Variant& v, const PeFaults& faults,
                                                const std::map<int, Graph>& pruned) const {
  VariantResult r;
  long long detections = 0, corrected = 0;
  for (std::size_t b = 0; b < golden_.size(); ++b) {
    const GraphGoldenBatch& g = reference(v, b);
    const Graph& graph = pruned.empty() ? *v.graphs.at(g.size()) : pruned.at(g.size());
    FastEngine fast(array_, faults);
    CheckedEngine engine(fast, array_, check_kind(v.config.check));
    const GraphRun run = run_graph(graph, batch_input(golden_[b]), engine, false);
    add_effect(r, GraphFaultEvaluator::classify(g, run.outputs.at(0)));
    detections += engine.stats().detections;
    corrected += engine.stats().corrected;
    r.cycles += run.cycles;
  }
  r.detected = detections > 0;
  r.corrected = r.detected && corrected == detections;
  r.outcome = r.detected && !r.corrected ? Outcome::due : classify_outcome(r.correct_to_wrong, r.nonfinite_images);
  return r;
}

}  // namespace accsim
