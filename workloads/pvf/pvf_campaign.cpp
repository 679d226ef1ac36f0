#include "workloads/pvf/pvf_campaign.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "arch/input_error.h"
#include "arch/random.h"
#include "faultmodels/bit_protection.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/experiments/mpi_session.h"
#include "workloads/experiments/key_hasher.h"
#include "workloads/experiments/nonfinite_golden.h"
#include "workloads/experiments/parallel_for.h"
#include "workloads/experiments/rank_protocol.h"
#include "workloads/models/graph_hash.h"
#include "workloads/pvf/pvf_adaptive.h"
#include "workloads/pvf/pvf_checkpoint.h"
#include "workloads/pvf/pvf_experiment_codec.h"
#include "workloads/pvf/pvf_graph_model.h"

namespace accsim {

namespace {

std::uint64_t experiment_seed(std::uint64_t seed, std::size_t index) {
  return splitmix64(seed ^ splitmix64(0x5046u + static_cast<std::uint64_t>(index)));
}

void check_campaign(const PvfCampaign& c) {
  const bool shaped = c.graph ? c.images.rank() >= 1 : c.images.rank() == 4;  // [N, ...] / [N, c, h, w]
  const int n = shaped ? c.images.dim(0) : 0;
  if (n < 1 || static_cast<std::size_t>(n) != c.labels.size())
    throw std::invalid_argument("run_pvf: " + std::to_string(c.labels.size()) + " labels for images " +
                                c.images.shape_string());
  const PvfConfig& pc = c.config;
  if (pc.batch < 1 || (pc.experiments < 1 && !pc.stop.enabled()) || pc.faults.models.empty() || pc.faults.targets.empty())
    throw std::invalid_argument("run_pvf: batch, experiments, models and targets must not be empty");
}

// The experiments [model][target][i] with their input images (drawn from (seed, i) only),
// those of the checkpoint marked done.
PvfResults plan_experiments(const PvfCampaign& c, const std::vector<ResolvedTarget>& resolved, const ParameterSet& set,
                            const std::string& checkpoint) {
  PvfResults r;
  r.key = pvf_key(c);
  r.images = c.images.dim(0);
  r.variants.push_back("unprotected");
  for (const auto& m : c.config.mitigations) r.variants.push_back(m.name);
  for (const ResolvedTarget& t : resolved) r.target_parameters.push_back(t.elements());
  r.tensors = set.names();
  if (c.config.stop.enabled()) {  // adaptive: the rounds are planned as they run (run_pvf)
    r.strata = pvf_strata(c.config, resolved);
    return r;
  }
  const std::size_t targets = resolved.size(), per = static_cast<std::size_t>(c.config.experiments);
  const std::size_t total = c.config.faults.models.size() * targets * per;
  r.experiments.resize(total);
  r.done.assign(total, 0);
  for (std::size_t i = 0; i < total; ++i) {
    PvfExperiment& e = r.experiments[i];
    e.model = static_cast<int>(i / (targets * per));
    e.target = static_cast<int>(i / per % targets);
    Rng rng(experiment_seed(c.seed, i) ^ 0x696d616765ULL);
    e.image = static_cast<int>(rng.below(static_cast<std::uint64_t>(r.images)));
  }
  if (!checkpoint.empty() && std::filesystem::exists(checkpoint)) r.resumed = read_pvf_checkpoint(checkpoint, r);
  return r;
}

// The key of experiment i's draws: its index, or in an adaptive run (stratum, sample).
std::uint64_t draw_seed(const PvfCampaign& c, const PvfExperiment& e, std::size_t i) {
  return e.stratum < 0 ? experiment_seed(c.seed, i) : adaptive_experiment_seed(c.seed, e.stratum, e.sample);
}

// Adaptive runs: sample `sample` of stratum `stratum` (whose model and target pairs are
// `candidates`): model, target and image drawn from the experiment's key.
PvfExperiment adaptive_experiment(const PvfCampaign& c, const std::vector<std::pair<int, int>>& candidates, int images,
                                  int stratum, long long sample) {
  PvfExperiment e;
  e.stratum = stratum;
  e.sample = sample;
  Rng rng(adaptive_experiment_seed(c.seed, e.stratum, e.sample) ^ 0x696d616765ULL);
  e.image = static_cast<int>(rng.below(static_cast<std::uint64_t>(images)));
  const auto& pick = candidates[candidates.size() == 1 ? 0 : rng.below(candidates.size())];
  e.model = pick.first;
  e.target = pick.second;
  return e;
}

// Adaptive runs: the next round, `round` more experiments of every open stratum (model,
// target and image drawn from the experiment's key), appended to the plan.
void plan_round(const PvfCampaign& c, const std::vector<ResolvedTarget>& resolved, const std::vector<char>& open,
                std::vector<long long>& planned, PvfResults& r) {
  const PvfStop& stop = c.config.stop;
  for (std::size_t s = 0; s < r.strata.size(); ++s) {
    if (!open[s]) continue;
    const auto candidates = stratum_candidates(r.strata[s], c.config, resolved);
    const long long end = std::min(planned[s] + stop.round, stop.max_per_stratum);
    for (; planned[s] < end; ++planned[s]) {
      r.experiments.push_back(adaptive_experiment(c, candidates, r.images, static_cast<int>(s), planned[s]));
      r.done.push_back(0);
    }
  }
}

// Experiment i's parameter fault, drawn on `set` and not left applied, recorded in `e`.
Injection draw_fault(const PvfCampaign& c, ParameterSet& set, const ResolvedTarget& target, std::size_t i,
                     PvfExperiment& e) {
  Injection inj = inject(set, target, c.config.faults.models[static_cast<std::size_t>(e.model)], draw_seed(c, e, i));
  inj.undo(set);
  e.bit_flips = inj.bit_flips();
  if (!inj.flips.empty()) {
    const ParameterFlip& f = inj.flips.front();
    e.tensor = f.tensor;
    e.element = f.element;
    e.old_value = f.old_value();
    e.new_value = f.new_value();
    if (e.bit_flips == 1) e.bit = f.bits().front();
  }
  return inj;
}

// Every variant's outcome of the experiments `es` (their faults `injections`) on a worker.
void evaluate_variants(const PvfModel& model, PvfWorker& worker, const std::vector<std::uint32_t>& protect,
                       const std::vector<Injection>& injections, std::vector<PvfExperiment>& es, bool shortcut) {
  for (PvfExperiment& e : es) e.outcomes.assign(protect.size(), PvfOutcome::masked);
  for (std::size_t v = 0; v < protect.size(); ++v) {
    // The experiments this variant must run: a counted image and something left to corrupt.
    std::vector<std::size_t> run;
    std::vector<int> images;
    std::vector<Injection> applied;
    for (std::size_t k = 0; k < es.size(); ++k) {
      if (!model.golden_correct(v, es[k].image)) {
        es[k].outcomes[v] = PvfOutcome::not_counted;
        continue;
      }
      Injection kept = protect[v] ? without_protected_bits(injections[k], protect[v]) : injections[k];
      if (kept.flips.empty()) continue;  // masked: every flipped bit is protected
      run.push_back(k);
      images.push_back(es[k].image);
      applied.push_back(std::move(kept));
    }
    if (run.empty()) continue;
    const std::vector<PvfOutcome> outcomes = worker.evaluate(v, images, applied, shortcut);
    for (std::size_t k = 0; k < run.size(); ++k) es[run[k]].outcomes[v] = outcomes[k];
  }
}

// One PvfWorker per thread that asks, made on first use.
class WorkerPool {
 public:
  explicit WorkerPool(const PvfModel& model) : model_(model) {}
  PvfWorker& of_this_thread() {
    const std::lock_guard<std::mutex> lock(mutex_);
    std::unique_ptr<PvfWorker>& w = workers_[std::this_thread::get_id()];
    if (!w) w = model_.make_worker();
    return *w;
  }

 private:
  const PvfModel& model_;
  std::mutex mutex_;
  std::map<std::thread::id, std::unique_ptr<PvfWorker>> workers_;
};

// Experiments a worker takes at a time: options.group, but no more than keeps two groups a
// thread when `pending` is small (and never fewer than 32 for that). A group's fault-free
// rests run stacked, so larger groups spread each rest job's planning over more
// experiments; results do not depend on the size.
int group_size(const PvfCampaign& c, const PvfRunOptions& options, std::size_t pending) {
  const auto threads = static_cast<std::size_t>(worker_count(c.config.threads, pending));
  const std::size_t balanced = std::max<std::size_t>(32, (pending + 2 * threads - 1) / (2 * threads));
  return static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(std::max(1, options.group)), balanced));
}

ExperimentRunnerOptions runner_options(const PvfCampaign& c, const PvfRunOptions& options, std::size_t pending) {
  ExperimentRunnerOptions runner;
  runner.threads = c.config.threads;
  runner.checkpoint_seconds = c.config.checkpoint_seconds;
  runner.progress_seconds = options.progress_seconds;
  runner.stop = options.stop;
  runner.progress = options.progress;
  runner.group = group_size(c, options, pending);  // a chain network's fault-free remainders run as one batch
  return runner;
}

}  // namespace

long long PvfResults::done_count() const { return std::count(done.begin(), done.end(), 1); }

std::string pvf_key(const PvfCampaign& c) {
  KeyHasher h;
  h.str("accsim pvf key 1");
  h.array(c.array);
  if (c.graph) {
    h.str("graph");
    hash_graph(h, *c.graph);
  } else {
    h.network(c.network);
  }
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
  if (pc.stop.enabled()) {  // fixed-count keys stay as they were: their checkpoints resume
    h.str("stop");
    h.f64(pc.stop.half_width);
    for (bool b : {pc.stop.relative, pc.stop.by_model, pc.stop.by_target, pc.stop.by_bit}) h.i64(b);
    h.i64(pc.stop.round);
    h.i64(pc.stop.max_per_stratum);
  }
  if (!c.graph) h.parameters(c.params);
  h.labelled_images(c.images, c.labels);
  return h.hex();
}

namespace {

// What run_pvf sets up before its experiments: the model's fault-free records, every
// variant's protected bits, the workers and the targets resolved on the parameters.
struct PvfSession {
  explicit PvfSession(const PvfCampaign& c)
      : model(make_graph_pvf_model(c)), workers(*model) {
    std::vector<long long> nonfinite;
    for (int i = 0; i < c.images.dim(0); ++i)
      if (model->golden_nonfinite(i)) nonfinite.push_back(c.config.test_offset + i);
    refuse_nonfinite_golden(c.model_origin, nonfinite, c.images.dim(0));
    for (const MitigationVariant& m : c.config.mitigations) protect.push_back(protection_mask(m.mitigations.protect_bits));
    resolved = resolve_parameter_faults(c.config.faults, workers.of_this_thread().parameters());
    if (c.config.stop.enabled() && c.config.stop.by_bit)
      for (const ResolvedTarget& t : resolved) {
        by_bit.emplace_back(32);
        for (int b : t.bits) by_bit.back()[static_cast<std::size_t>(b)] = restrict_to_bit(t, b);
      }
  }
  // The target experiment `e` draws on: its bit stratum's restriction in adaptive runs.
  const ResolvedTarget& target_of(const PvfExperiment& e, const std::vector<PvfStratum>& strata) const {
    const auto t = static_cast<std::size_t>(e.target);
    if (e.stratum < 0 || by_bit.empty()) return resolved[t];
    return by_bit[t][static_cast<std::size_t>(strata[static_cast<std::size_t>(e.stratum)].bit)];
  }
  std::unique_ptr<PvfModel> model;
  std::vector<std::uint32_t> protect{0};
  WorkerPool workers;
  std::vector<ResolvedTarget> resolved;
  std::vector<std::vector<ResolvedTarget>> by_bit;  // [target][bit]: adaptive runs stratified by bit
};

// Experiments `group` of the plan `r` on this thread's worker: drawn and evaluated
// under every variant (their injections in `injections`, when given).
std::vector<PvfExperiment> run_group(const PvfCampaign& c, PvfSession& s, const PvfResults& r,
                                     const std::vector<std::size_t>& group, bool shortcut,
                                     std::vector<Injection>* injections = nullptr) {
  PvfWorker& worker = s.workers.of_this_thread();
  std::vector<PvfExperiment> es;
  std::vector<Injection> drawn;
  for (std::size_t i : group) {
    es.push_back(r.experiments[i]);  // model, target and image: written before the workers started
    drawn.push_back(draw_fault(c, worker.parameters(), s.target_of(es.back(), r.strata), i, es.back()));
  }
  evaluate_variants(*s.model, worker, s.protect, drawn, es, shortcut);
  if (injections) *injections = std::move(drawn);
  return es;
}

// The plan with the fault-free counts and cycles per variant.
PvfResults planned_results(const PvfCampaign& c, PvfSession& s, const std::string& checkpoint) {
  PvfResults r = plan_experiments(c, s.resolved, s.workers.of_this_thread().parameters(), checkpoint);
  for (std::size_t v = 0; v < s.protect.size(); ++v) {
    r.golden_cycles.push_back(s.model->golden_cycles(v));
    r.golden_correct.push_back(0);
    for (int i = 0; i < r.images; ++i) r.golden_correct.back() += s.model->golden_correct(v, i);
  }
  return r;
}

}  // namespace

struct PvfReplayer::State {
  explicit State(const PvfCampaign& c) : session(c), results(planned_results(c, session, "")) {}
  PvfSession session;
  PvfResults results;
};

PvfReplayer::PvfReplayer(const PvfCampaign& campaign) : c_(campaign) {
  check_campaign(campaign);
  state_ = std::make_unique<State>(campaign);
}

std::size_t PvfReplayer::plan_sample(int stratum, long long sample, const std::string& what) {
  PvfResults& r = state_->results;
  const long long strata = static_cast<long long>(r.strata.size()), cap = c_.config.stop.max_per_stratum;
  if (stratum < 0 || stratum >= strata || sample < 0 || sample >= cap)
    throw InputError(what + ": stratum " + std::to_string(stratum) + ", sample " + std::to_string(sample) +
                     " is outside the run's strata [0, " + std::to_string(strata - 1) + "] and samples [0, " +
                     std::to_string(cap - 1) + "]");
  const auto s = static_cast<std::size_t>(stratum);
  r.experiments.push_back(adaptive_experiment(c_, stratum_candidates(r.strata[s], c_.config, state_->session.resolved),
                                              r.images, stratum, sample));
  r.done.push_back(0);
  return r.experiments.size() - 1;
}

PvfReplayer::~PvfReplayer() = default;

const PvfResults& PvfReplayer::plan() const { return state_->results; }

PvfExperiment PvfReplayer::replay(std::size_t index, Injection& injection) const {
  std::vector<Injection> injections;
  PvfExperiment e = run_group(c_, state_->session, state_->results, {index}, true, &injections).at(0);
  injection = std::move(injections.at(0));
  return e;
}

PvfRuns PvfReplayer::record(const PvfExperiment& e, const Injection& injection) const {
  return state_->session.workers.of_this_thread().record_runs(0, e.image, injection);
}

namespace {

// Runs the pending experiments of the plan `r` from `first` on (at most `budget` when
// >= 0; returns how many ran). The runner sees them as 0, 1, ...: an adaptive round's
// progress counts that round, and says "resuming" only for experiments from a checkpoint.
long long run_pending(const PvfCampaign& c, PvfSession& session, PvfResults& r, const PvfRunOptions& options,
                      long long budget, std::size_t first = 0) {
  // An adaptive round's results go to every rank: each plans the next round from them.
  const auto distribute = c.config.stop.enabled() ? run_distributed_shared : run_distributed;
  std::vector<char> done(r.done.begin() + static_cast<std::ptrdiff_t>(first), r.done.end());
  std::function<std::function<void()>()> checkpoint;
  if (!options.checkpoint.empty())
    checkpoint = [&] {
      auto snapshot = std::make_shared<PvfResults>(r);
      std::copy(done.begin(), done.end(), snapshot->done.begin() + static_cast<std::ptrdiff_t>(first));
      return [snapshot, &options] { write_pvf_checkpoint(options.checkpoint, *snapshot); };
    };
  const auto global = [first](std::vector<std::size_t> group) {
    for (std::size_t& i : group) i += first;
    return group;
  };
  const ResultCodec codec = pvf_experiment_codec(r.experiments);
  const std::vector<std::size_t> pending = pending_experiments(done, budget);
  const long long ran = distribute(  // over the MPI ranks when started by mpirun (docs/scale_out.md)
      pending, done,
      [&](const std::vector<std::size_t>& group) -> std::function<void()> {
        const std::vector<std::size_t> indices = global(group);
        std::vector<PvfExperiment> es = run_group(c, session, r, indices, options.shortcut);
        return [&r, indices, es = std::move(es)]() mutable {
          for (std::size_t k = 0; k < indices.size(); ++k) r.experiments[indices[k]] = std::move(es[k]);
        };
      },
      checkpoint,
      {[&](std::size_t i, ByteWriter& w) { codec.encode(first + i, w); },
       [&](std::size_t i, ByteReader& rd) { codec.decode(first + i, rd); }},
      runner_options(c, options, pending.size()));
  std::copy(done.begin(), done.end(), r.done.begin() + static_cast<std::ptrdiff_t>(first));
  return ran;
}

// Adaptive runs: round after round over the open strata until every stratum stops. Each
// round's plan depends only on the finished rounds, so a resumed run replans the same
// rounds and takes their experiments from the checkpoint, and under mpirun every rank
// plans the same rounds from the results rank 0 shares (rank 0 alone reads the checkpoint).
void run_rounds(const PvfCampaign& c, PvfSession& session, PvfResults& r, const PvfRunOptions& options) {
  const bool resume = mpi_rank() == 0 && !options.checkpoint.empty() && std::filesystem::exists(options.checkpoint);
  std::vector<long long> planned(r.strata.size(), 0);
  long long budget = options.max_experiments;
  while (budget != 0) {
    const std::vector<PvfStratumTally> tallies = tally_strata(r);
    std::vector<char> open(r.strata.size());
    for (std::size_t s = 0; s < open.size(); ++s) open[s] = !pvf_stratum_stops(tallies[s], c.config.stop);
    if (std::count(open.begin(), open.end(), 1) == 0) return;
    const std::size_t first = r.experiments.size();
    plan_round(c, session.resolved, open, planned, r);
    if (resume) r.resumed += read_pvf_checkpoint(options.checkpoint, r, true);
    const long long ran = run_pending(c, session, r, options, budget, first);
    if (budget > 0) budget -= std::min(budget, ran);
    if (!r.complete()) return;  // stopped: the round is unfinished
  }
}

}  // namespace

PvfResults run_pvf(const PvfCampaign& c, const PvfRunOptions& options) {
  check_campaign(c);
  PvfSession session(c);
  PvfResults r = planned_results(c, session, options.checkpoint);
  if (c.config.stop.enabled()) {
    run_rounds(c, session, r, options);
    retire_rank();  // the other ranks of an mpirun: only rank 0 goes on to write
  } else
    run_pending(c, session, r, options, options.max_experiments);
  return r;
}

}  // namespace accsim
