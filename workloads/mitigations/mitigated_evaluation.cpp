#include "workloads/mitigations/mitigated_evaluation.h"

#include <cmath>
#include <optional>
#include <stdexcept>

#include "arch/pe_faults.h"
#include "faultmodels/bit_protection.h"
#include "faultmodels/checked_engine.h"
#include "workloads/run/engines.h"
#include "workloads/mitigations/fault_aware_pruning.h"
#include "workloads/mitigations/variant_baseline.h"
#include "workloads/models/inference.h"

namespace accsim {

namespace {

bool same_clip(const ActivationClip& a, const ActivationClip& b) {
  return a.mode == b.mode && (a.mode == ClipMode::none || a.threshold == b.threshold);
}

// Adds the classification of `logits` [n, classes] against the fault-free batch `g`.
void classify_logits(const GoldenBatch& g, const Tensor& logits, long long& correct_to_wrong,
                     long long& nonfinite_images) {
  const int classes = logits.dim(1);
  for (int i = 0; i < g.size(); ++i) {
    const float* row = logits.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(classes);
    bool finite = true;
    for (int k = 0; k < classes; ++k) finite = finite && std::isfinite(row[k]);
    nonfinite_images += !finite;
    if (g.correct[static_cast<std::size_t>(i)] && argmax_row(row, classes) != g.labels[static_cast<std::size_t>(i)])
      ++correct_to_wrong;
  }
}

}  // namespace

struct MitigatedEvaluation::Variant {
  MitigationConfig config;
  Network net;               // the campaign's network, with the variant's clip
  bool own_clip = false;     // net.clip differs from the campaign network's
  std::unique_ptr<FaultEvaluator> evaluator;  // on net (own_clip only)
  std::vector<GoldenBatch> own_golden;        // net's fault-free batches (own_clip only)
  std::uint32_t protect = 0;
  VariantBaseline baseline;
};

MitigatedEvaluation::MitigatedEvaluation(const ArrayConfig& array, const Network& net, const NetworkParameters& params,
                                         const std::vector<MitigationVariant>& variants,
                                         const std::vector<GoldenBatch>& golden, const ParallelFor& parallel)
    : array_(array), params_(params), golden_(golden) {
  for (const MitigationVariant& mv : variants) {
    auto v = std::make_unique<Variant>();
    v->config = mv.mitigations;
    v->net = net;
    if (mv.mitigations.clip.mode != ClipMode::none) v->net.clip = mv.mitigations.clip;
    v->own_clip = !same_clip(v->net.clip, net.clip);
    if (v->own_clip) {
      v->evaluator = std::make_unique<FaultEvaluator>(array_, v->net, params_);
      v->own_golden.resize(golden.size());
    }
    v->protect = protection_mask(mv.mitigations.protect_bits);
    v->baseline = variant_baseline(mv, array);
    variants_.push_back(std::move(v));
  }

  // The fault-free batches of every variant: its own golden run (clip) and its checked
  // run (check), for the cycles and the checks' false positives.
  const std::size_t batches = golden.size();
  std::vector<long long> cycles(variants_.size() * batches, 0);
  std::vector<CheckStats> stats(variants_.size() * batches);
  parallel(variants_.size() * batches, [&](std::size_t task) {
    Variant& v = *variants_[task / batches];
    const std::size_t b = task % batches;
    const Tensor& images = golden[b].run.layers.front().input;
    if (v.own_clip) v.own_golden[b] = v.evaluator->golden(images, golden[b].labels);
    const GoldenBatch& g = v.own_clip ? v.own_golden[b] : golden[b];
    if (v.config.check == MitigationCheck::none) {
      cycles[task] = g.run.cycles;
      return;
    }
    const PeFaults healthy;
    FastEngine fast(array_, healthy);
    CheckedEngine checked(fast, array_, check_kind(v.config.check));
    cycles[task] = run_network(v.net, params_, images, checked).cycles;
    stats[task] = checked.stats();
  });
  for (std::size_t i = 0; i < variants_.size(); ++i) {
    VariantBaseline& base = variants_[i]->baseline;
    add_fault_free_batches(base, std::vector<long long>(cycles.begin() + i * batches, cycles.begin() + (i + 1) * batches),
                           std::vector<CheckStats>(stats.begin() + i * batches, stats.begin() + (i + 1) * batches));
    for (std::size_t b = 0; b < batches; ++b)
      for (char ok : (variants_[i]->own_clip ? variants_[i]->own_golden[b] : golden[b]).correct) base.golden_correct += ok;
  }
}

MitigatedEvaluation::~MitigatedEvaluation() = default;

const VariantBaseline& MitigatedEvaluation::baseline(std::size_t variant) const {
  return variants_.at(variant)->baseline;
}

VariantResult MitigatedEvaluation::evaluate(std::size_t variant, const HardwareFault& fault,
                                            const ExperimentResult& unprotected, bool shortcut) const {
  const Variant& v = *variants_.at(variant);
  const bool check = v.config.check != MitigationCheck::none;
  VariantResult r;
  if (v.protect != 0 && is_protected(fault, v.protect)) {  // never acts: the fault-free run
    r.cycles = check ? v.baseline.cycles : 0;
    return r;
  }
  std::optional<NetworkParameters> pruned;
  if (v.config.prune_faulty_weights && fault.permanent()) {
    NetworkParameters p = params_;
    if (apply_pruning(p, pruning_masks(v.net, array_, {fault})) > 0) pruned = std::move(p);
  }

  if (!check && !pruned) {
    if (!v.own_clip) {  // the unprotected network, parameters and engine: the unprotected result
      r.outcome = unprotected.outcome;
      r.correct_to_wrong = unprotected.correct_to_wrong;
      r.nonfinite_images = unprotected.nonfinite_images;
      return r;
    }
    for (const GoldenBatch& g : v.own_golden) {
      const BatchEffect e = v.evaluator->evaluate(g, fault, shortcut);
      r.correct_to_wrong += e.correct_to_wrong;
      r.nonfinite_images += e.nonfinite_images;
    }
    r.outcome = classify_outcome(r.correct_to_wrong, r.nonfinite_images);
    return r;
  }

  // Every layer of every batch again, on the faulty array (under the check, if any).
  validate(fault, array_);
  const PeFaults faults(array_, {fault});
  long long detections = 0, corrected = 0;
  const NetworkParameters& params = pruned ? *pruned : params_;
  for (std::size_t b = 0; b < golden_.size(); ++b) {
    const GoldenBatch& g = v.own_clip ? v.own_golden[b] : golden_[b];
    const Tensor& images = golden_[b].run.layers.front().input;
    FastEngine fast(array_, faults);
    if (check) {
      CheckedEngine checked(fast, array_, check_kind(v.config.check));
      const NetworkRun run = run_network(v.net, params, images, checked);
      classify_logits(g, run.logits, r.correct_to_wrong, r.nonfinite_images);
      detections += checked.stats().detections;
      corrected += checked.stats().corrected;
      r.cycles += run.cycles;
    } else {
      const NetworkRun run = run_network(v.net, params, images, fast);
      classify_logits(g, run.logits, r.correct_to_wrong, r.nonfinite_images);
    }
  }
  r.detected = detections > 0;
  r.corrected = r.detected && corrected == detections;
  r.outcome = r.detected && !r.corrected ? Outcome::due : classify_outcome(r.correct_to_wrong, r.nonfinite_images);
  return r;
}

}  // namespace accsim
