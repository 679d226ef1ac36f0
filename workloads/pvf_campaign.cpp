#include "workloads/pvf_campaign.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "arch/random.h"
#include "faultmodels/bit_protection.h"
#include "workloads/engines.h"
#include "workloads/experiment_runner.h"
#include "workloads/key_hasher.h"
#include "workloads/parameter_fault_evaluator.h"
#include "workloads/pvf_checkpoint.h"

namespace accsim {

namespace {

// A variant as the experiments see it: its network (clipping), its fault-free record of
// every pool image and the bits it protects.
struct Variant {
  Network network;
  std::uint32_t protect = 0;
  int golden_of = 0;  // the variant whose golden records it shares (same network)
};

// A worker's own copy of the parameters, corrupted and restored by each experiment.
struct WorkerState {
  NetworkParameters params;
  ParameterSet set;
  std::vector<ResolvedTarget> targets;
};

std::uint64_t experiment_seed(std::uint64_t seed, std::size_t index) {
  return splitmix64(seed ^ splitmix64(0x5046u + static_cast<std::uint64_t>(index)));
}

PvfOutcome classify(const BatchEffect& e) {
  if (e.nonfinite_images > 0) return PvfOutcome::crash;
  return e.correct_to_wrong > 0 ? PvfOutcome::sdc : PvfOutcome::masked;
}

}  // namespace

long long PvfResults::done_count() const { return std::count(done.begin(), done.end(), 1); }

std::string pvf_key(const PvfCampaign& c) {
  KeyHasher h;
  h.str("accsim pvf key 1");
  h.array(c.array);
  h.network(c.network);
  const PvfConfig& pc = c.config;
  for (long long v : {pc.experiments, static_cast<long long>(pc.test_offset), static_cast<long long>(pc.test_limit),
                      static_cast<long long>(pc.batch)})
    h.i64(v);
  for (const MitigationVariant& m : pc.mitigations) {
    h.str(m.name);
    h.mitigations(m.mitigations);
  }
  h.u64(pc.faults.models.size());
  for (const ParameterFaultModel& m : pc.faults.models) {
    h.str(m.describe());
    h.u64(m.count);
    h.f64(m.rate);
    h.i64(m.burst_length);
    h.f64(m.value_lo);
    h.f64(m.value_hi);
  }
  h.u64(pc.faults.targets.size());
  for (const ParameterTarget& t : pc.faults.targets) {
    h.str(t.name);
    for (const auto& s : t.tensors) h.str(s);
    h.i64(static_cast<int>(t.parameter));
    h.u64(t.bits.size());
    for (int b : t.bits) h.i64(b);
  }
  h.u64(c.seed);
  h.parameters(c.params);
  h.labelled_images(c.images, c.labels);
  return h.hex();
}

PvfResults run_pvf(const PvfCampaign& c, const PvfRunOptions& options) {
  const int n = c.images.rank() == 4 ? c.images.dim(0) : 0;
  if (n < 1 || static_cast<std::size_t>(n) != c.labels.size())
    throw std::invalid_argument("run_pvf: " + std::to_string(c.labels.size()) + " labels for images " +
                                c.images.shape_string());
  const PvfConfig& pc = c.config;
  if (pc.batch < 1 || pc.experiments < 1 || pc.faults.models.empty() || pc.faults.targets.empty())
    throw std::invalid_argument("run_pvf: batch, experiments, models and targets must not be empty");

  // Variant 0 is the unprotected run; variants with the same clipping share golden records.
  std::vector<Variant> variants(1 + pc.mitigations.size());
  variants[0].network = c.network;
  for (std::size_t v = 1; v < variants.size(); ++v) {
    const MitigationConfig& m = pc.mitigations[v - 1].mitigations;
    variants[v].network = c.network;
    if (m.clip.mode != ClipMode::none) variants[v].network.clip = m.clip;
    variants[v].protect = protection_mask(m.protect_bits);
  }
  for (std::size_t v = 0; v < variants.size(); ++v) {
    variants[v].golden_of = static_cast<int>(v);
    for (std::size_t u = 0; u < v; ++u)
      if (variants[u].network.clip.mode == variants[v].network.clip.mode &&
          variants[u].network.clip.threshold == variants[v].network.clip.threshold) {
        variants[v].golden_of = static_cast<int>(u);
        break;
      }
  }
  std::vector<std::unique_ptr<ParameterFaultEvaluator>> evaluators;
  for (const Variant& v : variants) evaluators.push_back(std::make_unique<ParameterFaultEvaluator>(c.array, v.network, c.params));

  PvfResults r;
  r.key = pvf_key(c);
  r.images = n;
  r.variants.push_back("unprotected");
  for (const auto& m : pc.mitigations) r.variants.push_back(m.name);

  // Every pool image's fault-free record, per distinct network, from batches of `batch`.
  const int batch = std::min(pc.batch, n), batches = (n + batch - 1) / batch;
  std::vector<std::vector<GoldenBatch>> golden(variants.size());
  r.golden_correct.assign(variants.size(), 0);
  r.golden_cycles.assign(variants.size(), 0);
  for (std::size_t v = 0; v < variants.size(); ++v) {
    if (variants[v].golden_of != static_cast<int>(v)) continue;
    golden[v].resize(static_cast<std::size_t>(n));
    std::vector<long long> cycles(static_cast<std::size_t>(batches));
    parallel_for(pc.threads, static_cast<std::size_t>(batches), [&](std::size_t b) {
      const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
      Tensor part({count, c.images.dim(1), c.images.dim(2), c.images.dim(3)});
      const std::size_t per = c.images.size() / static_cast<std::size_t>(n);
      std::copy_n(c.images.data() + first * per, count * per, part.data());
      const GoldenBatch g = evaluators[v]->golden(
          part, std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count));
      cycles[b] = g.run.cycles;
      for (int i = 0; i < count; ++i) golden[v][static_cast<std::size_t>(first + i)] = golden_image(g, variants[v].network, i);
    });
    r.golden_cycles[v] = cycles.front();
  }
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const auto& gv = golden[static_cast<std::size_t>(variants[v].golden_of)];
    for (const GoldenBatch& g : gv) r.golden_correct[v] += g.correct[0];
    r.golden_cycles[v] = r.golden_cycles[static_cast<std::size_t>(variants[v].golden_of)];
  }

  // The experiments: [model][target][i], each with its input image.
  NetworkParameters probe = c.params;
  const ParameterSet probe_set = network_parameter_set(c.network, probe);
  const std::vector<ResolvedTarget> resolved = resolve_parameter_faults(pc.faults, probe_set);
  for (const ResolvedTarget& t : resolved) r.target_parameters.push_back(t.elements());
  const std::size_t models = pc.faults.models.size(), targets = resolved.size();
  const auto per = static_cast<std::size_t>(pc.experiments);
  const std::size_t total = models * targets * per;
  r.experiments.resize(total);
  r.done.assign(total, 0);
  for (std::size_t i = 0; i < total; ++i) {
    PvfExperiment& e = r.experiments[i];
    e.model = static_cast<int>(i / (targets * per));
    e.target = static_cast<int>(i / per % targets);
    Rng rng(experiment_seed(c.seed, i) ^ 0x696d616765ULL);
    e.image = static_cast<int>(rng.below(static_cast<std::uint64_t>(n)));
  }
  if (!options.checkpoint.empty() && std::filesystem::exists(options.checkpoint))
    r.resumed = read_pvf_checkpoint(options.checkpoint, r);

  const std::vector<std::size_t> pending = pending_experiments(r.done, options.max_experiments);

  std::mutex states_mutex;
  std::map<std::thread::id, std::unique_ptr<WorkerState>> states;
  auto state_of_this_thread = [&]() -> WorkerState& {
    const std::lock_guard<std::mutex> lock(states_mutex);
    std::unique_ptr<WorkerState>& s = states[std::this_thread::get_id()];
    if (!s) {
      s = std::make_unique<WorkerState>();
      s->params = c.params;
      s->set = network_parameter_set(c.network, s->params);
      s->targets = resolved;
    }
    return *s;
  };

  ExperimentRunnerOptions runner;
  runner.threads = pc.threads;
  runner.checkpoint_seconds = pc.checkpoint_seconds;
  runner.progress_seconds = options.progress_seconds;
  runner.stop = options.stop;
  runner.progress = options.progress;
  std::function<std::function<void()>()> checkpoint;
  if (!options.checkpoint.empty())
    checkpoint = [&] {
      auto snapshot = std::make_shared<PvfResults>(r);
      return [snapshot, &options] { write_pvf_checkpoint(options.checkpoint, *snapshot); };
    };
  runner.group = options.group;  // the group's fault-free remainders run as one batch
  run_experiments(
      pending, r.done,
      [&](const std::vector<std::size_t>& group) -> std::function<void()> {
        WorkerState& s = state_of_this_thread();
        std::vector<PvfExperiment> es;
        std::vector<Injection> injections;
        for (std::size_t i : group) {
          PvfExperiment e = r.experiments[i];  // model, target and image: written before the workers started
          Injection inj = inject(s.set, s.targets[static_cast<std::size_t>(e.target)],
                                 pc.faults.models[static_cast<std::size_t>(e.model)], experiment_seed(c.seed, i));
          inj.undo(s.set);  // drawn now, applied by the evaluation
          e.bit_flips = inj.bit_flips();
          if (!inj.flips.empty()) {
            const ParameterFlip& f = inj.flips.front();
            e.tensor = f.tensor;
            e.element = f.element;
            e.old_value = f.old_value();
            e.new_value = f.new_value();
            if (e.bit_flips == 1) e.bit = f.bits().front();
          }
          e.outcomes.assign(variants.size(), PvfOutcome::masked);
          es.push_back(std::move(e));
          injections.push_back(std::move(inj));
        }
        for (std::size_t v = 0; v < variants.size(); ++v) {
          // The experiments this variant must run: a counted image and something left to corrupt.
          std::vector<std::size_t> run;
          std::vector<const GoldenBatch*> goldens;
          std::vector<Injection> applied;
          for (std::size_t k = 0; k < es.size(); ++k) {
            const GoldenBatch& g = golden[static_cast<std::size_t>(variants[v].golden_of)][static_cast<std::size_t>(es[k].image)];
            if (!g.correct[0]) {
              es[k].outcomes[v] = PvfOutcome::not_counted;
              continue;
            }
            Injection kept = variants[v].protect ? without_protected_bits(injections[k], variants[v].protect) : injections[k];
            if (kept.flips.empty()) continue;  // masked: every flipped bit is protected
            run.push_back(k);
            goldens.push_back(&g);
            applied.push_back(std::move(kept));
          }
          std::vector<BatchEffect> effects;
          if (options.shortcut) {
            effects = evaluators[v]->evaluate_many(goldens, s.set, s.params, applied);
          } else {
            for (std::size_t k = 0; k < run.size(); ++k) {
              applied[k].apply(s.set);
              effects.push_back(evaluators[v]->evaluate(*goldens[k], s.params, applied[k], false));
              applied[k].undo(s.set);
            }
          }
          for (std::size_t k = 0; k < run.size(); ++k) es[run[k]].outcomes[v] = classify(effects[k]);
        }
        return [&r, group, es = std::move(es)]() mutable {
          for (std::size_t k = 0; k < group.size(); ++k) r.experiments[group[k]] = std::move(es[k]);
        };
      },
      checkpoint, runner);
  return r;
}

}  // namespace accsim
