#include "workloads/campaign/memory_campaign.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <map>
#include <stdexcept>

#include "arch/input_error.h"
#include "arch/pe_faults.h"
#include "faultmodels/memory_layout.h"
#include "workloads/campaign/campaign_evaluator.h"
#include "workloads/campaign/memory_campaign_checkpoint.h"
#include "workloads/campaign/memory_experiment_codec.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/experiments/parallel_for.h"
#include "workloads/models/graph_fault_evaluator.h"
#include "workloads/models/incremental_run.h"
#include "workloads/run/engines.h"

namespace accsim {

namespace {

using Words = std::vector<std::vector<HeldElement>>;

// One array job and the graph values its operands are.
struct JobInfo {
  std::string node, input, weight;  // the node and its input / weight value names
  bool modelled = false;            // the job's operands are the node's input and weight as they are
  long long start = 0, end = 0;     // its cycle window
};

// Where every batch of one size keeps what in memory, and when.
struct Layout {
  std::vector<JobInfo> jobs;
  std::vector<Words> cbuf;  // per job: what each CBUF word holds
  Words dram;               // the model's DRAM words (elements tagged with their job)
  std::vector<std::pair<long long, long long>> dram_live;  // per DRAM word: [written, last read)
};

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

const Node& node_named(const Graph& g, const std::string& name) {
  for (const Node& n : g.nodes)
    if (n.name == name) return n;
  throw std::invalid_argument("memory campaign: no node " + name);
}

const Tensor* value_of(const GraphGoldenBatch& g, const std::string& name) {
  if (const auto it = g.graph->initializers.find(name); it != g.graph->initializers.end()) return &it->second;
  if (const auto it = g.run.values.find(name); it != g.run.values.end()) return &it->second;
  return nullptr;
}

// A Conv or Gemm node with one job whose operands are its input and weight initializer
// element for element (no groups, dilation phases or transposition).
JobInfo job_info(const GraphGoldenBatch& g, const LayerRun& job) {
  JobInfo info;
  info.node = job.node;
  info.start = job.start_cycle;
  info.end = job.start_cycle + job.timing.cycles;
  const Node& n = node_named(*g.graph, job.node);
  if ((n.op != "Conv" && n.op != "Gemm") || n.inputs.size() < 2 || !g.graph->is_initializer(n.inputs[1]) ||
      g.node_jobs.at(job.node).size() != 1)
    return info;
  const Tensor* x = value_of(g, n.inputs[0]);
  info.input = n.inputs[0];
  info.weight = n.inputs[1];
  info.modelled = x && same_bits(*x, job.input) && same_bits(g.graph->initializers.at(n.inputs[1]), job.weights);
  return info;
}

Layout make_layout(const GraphGoldenBatch& g, const ArrayConfig& array, const std::vector<LayerRun>& full_jobs) {
  Layout L;
  const int bpe = bytes_per_element(array.datatype);
  for (std::size_t j = 0; j < g.run.jobs.size(); ++j) {
    const LayerRun& job = g.run.jobs[j];
    L.jobs.push_back(job_info(g, job));
    const bool modelled = L.jobs.back().modelled;
    L.cbuf.push_back(modelled ? cbuf_word_contents(job.job.shape, array) : Words{});
    // DRAM regions keep the full batch's sizes, so a word means the same in every batch
    // (the weights, first, have the same size in every batch).
    const long long first = static_cast<long long>(L.dram.size());
    const ConvShape& full = full_jobs.at(j).job.shape;
    const long long weight_words = (static_cast<long long>(full.k) * full.c * full.r * full.s * bpe + 7) / 8;
    const long long input_words = (static_cast<long long>(full.n) * full.c * full.h * full.w * bpe + 7) / 8;
    if (modelled) add_dram_job(job.job.shape, bpe, static_cast<int>(j), L.dram);
    L.dram.resize(static_cast<std::size_t>(first + weight_words + input_words));
    const long long written_input = j == 0 ? 0 : L.jobs[j - 1].end;
    L.dram_live.resize(L.dram.size(), {0, L.jobs[j].end});
    for (long long w = first + weight_words; w < first + weight_words + input_words; ++w)
      L.dram_live[static_cast<std::size_t>(w)].first = written_input;
  }
  return L;
}

// The jobs whose read of the word the fault reaches in a batch, in run order.
std::vector<int> acting_jobs(const Layout& L, const MemoryFault& f) {
  std::vector<int> jobs;
  const auto word = static_cast<std::size_t>(f.word);
  if (f.structure == MemoryStructure::dram) {
    if (word >= L.dram.size() || L.dram[word].empty()) return jobs;
    const auto [from, to] = L.dram_live[word];
    if (f.kind != FaultKind::transient || (f.cycle >= from && f.cycle < to)) jobs.push_back(L.dram[word].front().job);
    return jobs;
  }
  for (std::size_t j = 0; j < L.jobs.size(); ++j) {
    if (L.cbuf[j].empty() || L.cbuf[j].at(word).empty()) continue;
    if (f.kind != FaultKind::transient || (f.cycle >= L.jobs[j].start && f.cycle < L.jobs[j].end))
      jobs.push_back(static_cast<int>(j));
  }
  return jobs;
}

std::uint32_t bits_of(float v) {
  std::uint32_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

float float_of(std::uint32_t b) {
  float v;
  std::memcpy(&v, &b, sizeof v);
  return v;
}

// One batch's faulty model: the recorded graph with the operands silent reads corrupted.
class FaultyBatch {
 public:
  FaultyBatch(const GraphGoldenBatch& g, const ArrayConfig& array) : g_(g), array_(array) {}

  bool changed() const { return !scope_.changed_initializers.empty(); }

  // The value as job `node` reads it now (earlier corruptions propagated).
  Tensor current(const std::string& value) {
    if (changed()) {
      const Rerun r = rerun();
      if (const auto it = r.changed.find(value); it != r.changed.end()) return it->second;
    }
    return *value_of(g_, value);
  }

  // Replaces input `index` of `node` by `t`, for that node only.
  void replace(const std::string& node, std::size_t index, Tensor t) {
    if (!graph_) graph_ = std::make_unique<Graph>(*g_.graph);
    for (Node& n : graph_->nodes)
      if (n.name == node) {
        const std::string name = n.inputs.at(index) + "#memory_fault@" + node;
        n.inputs[index] = name;
        graph_->shapes[name] = t.shape();
        graph_->initializers[name] = std::move(t);
        scope_.changed_initializers.insert(name);
      }
  }

  const Graph& graph() const { return graph_ ? *graph_ : *g_.graph; }

  Rerun rerun() const {
    const PeFaults healthy;
    FastEngine engine(array_, healthy);
    return rerun_graph(graph(), g_.run, engine, scope_);
  }

 private:
  const GraphGoldenBatch& g_;
  const ArrayConfig& array_;
  std::unique_ptr<Graph> graph_;
  RerunScope scope_;
};

class MemoryCampaign {
 public:
  MemoryCampaign(const Campaign& c, const std::string& file) : c_(c) {
    if (!c.array.memory.enabled)
      throw InputError(file + ": array.memory: the campaign sites cbuf and dram need the memory side of the array "
                              "(e.g. \"memory\": {\"preset\": \"nv_small\"}, docs/cycle_model.md)");
    if (c.array.datatype != DataType::fp32)
      throw InputError(file + ": array.datatype: the campaign sites cbuf and dram support fp32 only, got " +
                       to_string(c.array.datatype));
    const GraphFaultEvaluator evaluator(c.array);
    const int n = c.images.dim(0), batch = std::min(c.config.batch, n);
    golden_.resize(static_cast<std::size_t>((n + batch - 1) / batch));
    parallel_for(c.config.threads, golden_.size(), [&](std::size_t b) {
      const int first = static_cast<int>(b) * batch, count = std::min(batch, n - first);
      golden_[b] = evaluator.golden(*c.graphs.at(count), slice_batch(c.images, first, count),
                                    std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count));
    });
    for (const GraphGoldenBatch& g : golden_)
      if (!layouts_.count(g.size())) layouts_[g.size()] = make_layout(g, c.array, golden_.front().run.jobs);
  }

  const Layout& full() const { return layouts_.at(golden_.front().size()); }
  const std::vector<GraphGoldenBatch>& golden() const { return golden_; }

  void evaluate(MemoryExperiment& e) const {
    bool silent = false;
    for (const GraphGoldenBatch& g : golden_) {
      const BatchEffect effect = evaluate_batch(g, e, silent);
      e.correct_to_wrong += effect.correct_to_wrong;
      e.nonfinite_images += effect.nonfinite_images;
      if (e.reads_detected > 0) break;  // the system stops at a detected uncorrectable error
    }
    if (e.reads_detected > 0) e.outcome = MemoryOutcome::due;
    else if (e.nonfinite_images > 0) e.outcome = MemoryOutcome::crash;
    else if (e.correct_to_wrong > 0) e.outcome = MemoryOutcome::sdc;
    else if (e.reads_corrected > 0 && !silent) e.outcome = MemoryOutcome::corrected;
    else e.outcome = MemoryOutcome::masked;
  }

 private:
  BatchEffect evaluate_batch(const GraphGoldenBatch& g, MemoryExperiment& e, bool& silent) const {
    const Layout& L = layouts_.at(g.size());
    const EccCode code = c_.config.memory.code(e.fault.structure);
    FaultyBatch batch(g, c_.array);
    for (int j : acting_jobs(L, e.fault)) {
      const JobInfo& job = L.jobs[static_cast<std::size_t>(j)];
      const std::vector<HeldElement>& held = e.fault.structure == MemoryStructure::dram
                                                 ? L.dram[static_cast<std::size_t>(e.fault.word)]
                                                 : L.cbuf[static_cast<std::size_t>(j)][static_cast<std::size_t>(e.fault.word)];
      const Operand operand = held.front().operand;  // a word lies in one region
      const std::string& value = operand == Operand::input ? job.input : job.weight;
      Tensor t = operand == Operand::input ? batch.current(value) : g.graph->initializers.at(value);
      std::uint64_t data = 0;
      for (const HeldElement& h : held)
        data |= std::uint64_t{bits_of(t.data()[h.element])} << h.word_bit;
      const EccRead r = read_faulty_word(code, e.fault, data);
      e.reads_corrected += r.outcome == ReadOutcome::corrected;
      e.reads_detected += r.outcome == ReadOutcome::detected;
      if (r.outcome == ReadOutcome::detected) return {};
      if (r.outcome != ReadOutcome::silent) continue;
      ++e.reads_silent;
      silent = true;
      for (const HeldElement& h : held) {
        const float v = float_of(static_cast<std::uint32_t>(r.data >> h.word_bit));
        e.corrupted_elements += bits_of(v) != bits_of(t.data()[h.element]);
        t.data()[h.element] = v;
      }
      batch.replace(job.node, operand == Operand::input ? 0 : 1, std::move(t));
    }
    if (!batch.changed()) return {};
    return GraphFaultEvaluator::classify(g, batch.rerun().outputs.at(0));
  }

  const Campaign& c_;
  std::vector<GraphGoldenBatch> golden_;
  std::map<int, Layout> layouts_;  // by batch size
};

MemoryOccupancy cbuf_occupancy(const Layout& L, const ArrayConfig& array, EccCode code, long long cycles) {
  MemoryOccupancy o;
  o.words = array.memory.cbuf_bytes() / kWordBytes;
  o.word_bits = code_word_bits(code);
  o.run_cycles = cycles;
  for (std::size_t j = 0; j < L.jobs.size(); ++j) {
    if (L.cbuf[j].empty()) continue;
    const auto live = std::count_if(L.cbuf[j].begin(), L.cbuf[j].end(), [](const auto& w) { return !w.empty(); });
    o.live_word_cycles += static_cast<double>(live) * static_cast<double>(L.jobs[j].end - L.jobs[j].start);
  }
  return o;
}

MemoryOccupancy dram_occupancy(const Layout& L, EccCode code, long long cycles) {
  MemoryOccupancy o;
  o.words = static_cast<long long>(L.dram.size());
  o.word_bits = code_word_bits(code);
  o.run_cycles = cycles;
  for (std::size_t w = 0; w < L.dram.size(); ++w)
    if (!L.dram[w].empty()) o.live_word_cycles += static_cast<double>(L.dram_live[w].second - L.dram_live[w].first);
  return o;
}

// Evaluates the experiments not done yet (on the MPI ranks when started by mpirun,
// docs/scale_out.md), checkpointing every checkpoint_seconds and when stopped.
void run_pending(const MemoryCampaign& mc, const CampaignConfig& cc, const MemoryCampaignRunOptions& options,
                 MemoryCampaignResults& r) {
  ExperimentRunnerOptions runner;
  runner.threads = cc.threads;
  runner.checkpoint_seconds = cc.checkpoint_seconds;
  runner.stop = options.stop;
  runner.progress = options.progress;
  std::function<std::function<void()>()> checkpoint;
  if (!options.checkpoint.empty())
    checkpoint = [&] {
      auto snapshot = std::make_shared<MemoryCampaignResults>(r);
      return [snapshot, &options] { write_memory_campaign_checkpoint(options.checkpoint, *snapshot); };
    };
  r.done_count += run_distributed(
      pending_experiments(r.done, options.max_experiments), r.done,
      [&](const std::vector<std::size_t>& group) -> std::function<void()> {
        const std::size_t i = group.front();  // groups of one
        MemoryExperiment e = r.experiments[i];  // its fault, drawn before the workers started
        mc.evaluate(e);
        return [&r, i, e] { r.experiments[i] = e; };
      },
      checkpoint, memory_experiment_codec(r.experiments), runner);
}

}  // namespace

const std::vector<std::string>& memory_outcome_names() {
  static const std::vector<std::string> names{"masked", "corrected", "due", "sdc", "crash"};
  return names;
}

MemoryCampaignResults run_memory_campaign(const Campaign& c, const std::string& config_file,
                                          const MemoryCampaignRunOptions& options) {
  const MemoryCampaign mc(c, config_file);
  const Layout& L = mc.full();
  const GraphGoldenBatch& first = mc.golden().front();
  MemoryCampaignResults r;
  r.batches = static_cast<int>(mc.golden().size());
  r.batch_cycles = first.run.cycles;
  r.images = c.images.dim(0);
  for (const GraphGoldenBatch& g : mc.golden()) r.golden_correct += std::count(g.correct.begin(), g.correct.end(), 1);
  for (const JobInfo& j : L.jobs) {
    r.nodes.push_back(j.node);
    if (!j.modelled) r.unmodelled.push_back(j.node);
  }
  const MemoryFaultConfig& mf = c.config.memory;
  r.occupancy[0] = cbuf_occupancy(L, c.array, mf.code(MemoryStructure::cbuf), r.batch_cycles);
  r.occupancy[1] = dram_occupancy(L, mf.code(MemoryStructure::dram), r.batch_cycles);
  const long long words[2] = {r.occupancy[0].words, r.occupancy[1].words};
  r.experiments.resize(static_cast<std::size_t>(c.config.experiments));
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    MemoryExperiment& e = r.experiments[i];
    e.fault = draw_memory_fault(mf, c.config.memory_sites, c.config.kinds, words, c.seed, static_cast<long long>(i),
                                r.batch_cycles);
    const std::vector<int> jobs = acting_jobs(L, e.fault);
    e.live = !jobs.empty();
    if (e.fault.kind == FaultKind::transient && e.live) e.job = jobs.front();
  }
  r.key = memory_campaign_key(c);
  r.done.assign(r.experiments.size(), 0);
  if (!options.checkpoint.empty() && std::filesystem::exists(options.checkpoint))
    r.resumed = read_memory_campaign_checkpoint(options.checkpoint, r);
  run_pending(mc, c.config, options, r);
  return r;
}

}  // namespace accsim
