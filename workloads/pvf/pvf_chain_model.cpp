#include "workloads/pvf/pvf_chain_model.h"

#include <algorithm>

#include "workloads/experiments/experiment_runner.h"
#include "workloads/pvf/parameter_fault_evaluator.h"

namespace accsim {

namespace {

PvfOutcome classify(const BatchEffect& e) {
  if (e.nonfinite_images > 0) return PvfOutcome::crash;
  return e.correct_to_wrong > 0 ? PvfOutcome::sdc : PvfOutcome::masked;
}

// A variant's network (clipping) and the variant whose golden records it shares.
struct ChainVariant {
  Network network;
  std::size_t golden_of = 0;
};

class ChainPvfModel;

class ChainPvfWorker : public PvfWorker {
 public:
  explicit ChainPvfWorker(const ChainPvfModel& model);
  ParameterSet& parameters() override { return set_; }
  std::vector<PvfOutcome> evaluate(std::size_t variant, const std::vector<int>& images,
                                   const std::vector<Injection>& injections, bool shortcut) override;

 private:
  const ChainPvfModel& model_;
  NetworkParameters params_;
  ParameterSet set_;
};

class ChainPvfModel : public PvfModel {
 public:
  explicit ChainPvfModel(const PvfCampaign& c);
  bool golden_correct(std::size_t variant, int image) const override { return golden(variant, image).correct[0]; }
  long long golden_cycles(std::size_t variant) const override { return cycles_[variants_[variant].golden_of]; }
  bool golden_nonfinite(int image) const override { return golden(0, image).nonfinite[0]; }
  std::unique_ptr<PvfWorker> make_worker() const override { return std::make_unique<ChainPvfWorker>(*this); }

  const GoldenBatch& golden(std::size_t variant, int image) const {
    return golden_[variants_[variant].golden_of][static_cast<std::size_t>(image)];
  }
  const ParameterFaultEvaluator& evaluator(std::size_t variant) const { return *evaluators_[variant]; }
  const PvfCampaign& campaign() const { return c_; }

 private:
  void record_goldens(std::size_t variant);

  const PvfCampaign& c_;
  std::vector<ChainVariant> variants_;
  std::vector<std::unique_ptr<ParameterFaultEvaluator>> evaluators_;
  std::vector<std::vector<GoldenBatch>> golden_;  // [variant][image], for variants that are their own golden_of
  std::vector<long long> cycles_;
};

ChainPvfModel::ChainPvfModel(const PvfCampaign& c) : c_(c) {
  // Variant 0 is the unprotected run; variants with the same clipping share golden records.
  variants_.resize(1 + c.config.mitigations.size());
  for (std::size_t v = 0; v < variants_.size(); ++v) {
    variants_[v].network = c.network;
    if (v > 0 && c.config.mitigations[v - 1].mitigations.clip.mode != ClipMode::none)
      variants_[v].network.clip = c.config.mitigations[v - 1].mitigations.clip;
    variants_[v].golden_of = v;
    for (std::size_t u = 0; u < v; ++u)
      if (variants_[u].network.clip.mode == variants_[v].network.clip.mode &&
          variants_[u].network.clip.threshold == variants_[v].network.clip.threshold) {
        variants_[v].golden_of = u;
        break;
      }
  }
  for (const ChainVariant& v : variants_)
    evaluators_.push_back(std::make_unique<ParameterFaultEvaluator>(c.array, v.network, c.params));
  golden_.resize(variants_.size());
  cycles_.assign(variants_.size(), 0);
  for (std::size_t v = 0; v < variants_.size(); ++v)
    if (variants_[v].golden_of == v) record_goldens(v);
}

// Every pool image's fault-free record, from batches of `batch`.
void ChainPvfModel::record_goldens(std::size_t v) {
  const int n = c_.images.dim(0), batch = std::min(c_.config.batch, n), batches = (n + batch - 1) / batch;
  golden_[v].resize(static_cast<std::size_t>(n));
  std::vector<long long> cycles(static_cast<std::size_t>(batches));
  parallel_for(c_.config.threads, static_cast<std::size_t>(batches), [&](std::size_t b) {
    const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
    Tensor part({count, c_.images.dim(1), c_.images.dim(2), c_.images.dim(3)});
    const std::size_t per = c_.images.size() / static_cast<std::size_t>(n);
    std::copy_n(c_.images.data() + first * per, count * per, part.data());
    const GoldenBatch g = evaluators_[v]->golden(
        part, std::vector<int>(c_.labels.begin() + first, c_.labels.begin() + first + count));
    cycles[b] = g.run.cycles;
    for (int i = 0; i < count; ++i)
      golden_[v][static_cast<std::size_t>(first + i)] = golden_image(g, variants_[v].network, i);
  });
  cycles_[v] = cycles.front();
}

ChainPvfWorker::ChainPvfWorker(const ChainPvfModel& model)
    : model_(model), params_(model.campaign().params), set_(network_parameter_set(model.campaign().network, params_)) {}

std::vector<PvfOutcome> ChainPvfWorker::evaluate(std::size_t variant, const std::vector<int>& images,
                                                 const std::vector<Injection>& injections, bool shortcut) {
  std::vector<const GoldenBatch*> goldens;
  for (int image : images) goldens.push_back(&model_.golden(variant, image));
  const ParameterFaultEvaluator& evaluator = model_.evaluator(variant);
  std::vector<BatchEffect> effects;
  if (shortcut) {
    effects = evaluator.evaluate_many(goldens, set_, params_, injections);
  } else {
    for (std::size_t k = 0; k < injections.size(); ++k) {
      injections[k].apply(set_);
      effects.push_back(evaluator.evaluate(*goldens[k], params_, injections[k], false));
      injections[k].undo(set_);
    }
  }
  std::vector<PvfOutcome> out;
  for (const BatchEffect& e : effects) out.push_back(classify(e));
  return out;
}

}  // namespace

std::unique_ptr<PvfModel> make_chain_pvf_model(const PvfCampaign& campaign) {
  return std::make_unique<ChainPvfModel>(campaign);
}

}  // namespace accsim
