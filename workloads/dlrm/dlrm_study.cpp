#include "workloads/dlrm/dlrm_study.h"

#include <algorithm>
#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "arch/json_excerpt.h"
#include "arch/pe_faults.h"
#include "arch/sampling.h"
#include "faultmodels/parameter_injection.h"
#include "workloads/dlrm/dlrm_graph.h"
#include "workloads/dlrm/parameters_in_use_order.h"
#include "workloads/experiments/distributed_runner.h"
#include "workloads/experiments/experiment_runner.h"
#include "workloads/run/engines.h"
#include "workloads/io/interval_text.h"
#include "workloads/io/memory_limit.h"
#include "workloads/io/output_format.h"
#include "workloads/io/results_file.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/incremental_run.h"

namespace accsim {

namespace {

constexpr std::uint64_t kMaxParameters = std::uint64_t{1} << 26;

std::vector<double> parse_sparsity(ConfigReader& r) {
  const std::string range = "(0, 1]";
  const nlohmann::json& v = r.get_raw("sparsity", "a number in (0, 1] or a list of them");
  const auto check = [&](const nlohmann::json& e, const std::string& where) {
    if (!e.is_number()) r.fail(where, "expected a number in " + range + ", got " + json_excerpt(e));
    const double x = e.get<double>();
    if (!(x > 0.0 && x <= 1.0)) r.fail(where, json_excerpt(e) + " is outside the allowed range " + range);
    return x;
  };
  std::vector<double> out;
  if (!v.is_array()) return {check(v, "sparsity")};
  if (v.empty() || v.size() > 16) r.fail("sparsity", "expected 1 to 16 numbers in " + range + ", got " + json_excerpt(v));
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(check(v[i], "sparsity[" + std::to_string(i) + "]"));
  return out;
}

// The model's graph bound to one batch: an ONNX DLRM's, or the built-in one's with `params`.
using GraphOfBatch = std::function<Graph(const DlrmBatch&)>;

GraphOfBatch graph_of_batch(const DlrmStudyConfig& c, const DlrmParameters& params) {
  if (c.onnx.file.empty()) return [&c, &params](const DlrmBatch& b) { return dlrm_graph(c.model, params, b); };
  return [&c](const DlrmBatch& b) { return dlrm_onnx_graph(c.onnx, c.model, b); };
}

// The model's graph at a shape-only batch (one sample, no active feature): for the
// parameter names and shapes, no random draws.
Graph shape_graph(const DlrmStudyConfig& c) {
  DlrmBatch batch;
  batch.dense = Tensor({1, c.model.dense_dim});
  batch.sparse.resize(1);
  const DlrmParameters zero = c.onnx.file.empty() ? zero_dlrm_parameters(c.model) : DlrmParameters{};
  return graph_of_batch(c, zero)(batch);
}

DlrmTrial compare(const Tensor& golden, const Tensor& faulty, std::uint64_t flips) {
  DlrmTrial t;
  t.bit_flips = flips;
  double sum = 0.0;
  for (std::size_t i = 0; i < golden.size(); ++i) {
    const float y = faulty[i];
    if (!std::isfinite(y)) {
      ++t.nonfinite_outputs;
      continue;
    }
    const double d = static_cast<double>(y) - golden[i];
    sum += d * d;
  }
  t.rmse = t.nonfinite_outputs ? std::nan("") : std::sqrt(sum / static_cast<double>(golden.size()));
  return t;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string model_value(const ParameterFaultModel& m) {
  switch (m.kind) {
    case ParameterFaultKind::ber: return fmt("%.0e", m.rate);
    case ParameterFaultKind::value: return m.rate > 0 ? fmt("%.0e", m.rate) : std::to_string(m.count);
    case ParameterFaultKind::mbf:
    case ParameterFaultKind::mbbf: return std::to_string(m.count);
    case ParameterFaultKind::sbf: return "1";
  }
  return "";
}

// What the recorded fault-free runs hold beyond the parameters, estimated before anything
// is drawn: per sparsity, each table's copy with its zero row and the rows of its bags
// [n, L, E] (L, the longest bag, is at least the mean sparsity x rows + the padding slot).
double golden_bytes(const DlrmStudyConfig& c) {
  const DlrmConfig& m = c.model;
  double floats = 2.0 * static_cast<double>(m.parameter_count());  // the clean parameters, the model graph's
  for (double s : c.sparsity)
    floats += static_cast<double>(m.sparse_dim + m.tables) * m.embedding_dim +
              static_cast<double>(c.samples) * (s * m.sparse_dim + m.tables) * m.embedding_dim;
  return 4.0 * floats;
}

}  // namespace

std::string describe_model(const DlrmStudyConfig& c) {
  if (c.onnx.file.empty()) return c.model.describe();
  std::string sparse;
  for (const auto& name : c.onnx.sparse_inputs) sparse += (sparse.empty() ? "" : ", ") + name;
  return c.onnx.file + " (ONNX; dense -> " + c.onnx.dense_input + ", bags -> " + sparse + ")";
}

DlrmStudyConfig parse_dlrm_study_config(const std::string& file) {
  return parse_dlrm_study_config_json(ConfigReader::load_file(file), file);
}

DlrmStudyConfig parse_dlrm_study_config_json(const nlohmann::json& json, const std::string& file) {
  ConfigReader top(json, file, "");
  DlrmStudyConfig c;
  c.file = file;
  c.json_text = json.dump(2);
  c.array = parse_array_config(top.get_object("array"));
  c.seed = static_cast<std::uint64_t>(top.get_int("seed", 0, INT64_MAX, 1));
  if (top.has("dlrm")) c.model = parse_dlrm_config(top.get_object("dlrm"));
  if (top.has("workload")) c.onnx = parse_dlrm_workload(top.get_object("workload"), file, c.model);
  if (top.has("study")) {
    ConfigReader s = top.get_object("study");
    c.samples = static_cast<int>(s.get_int("samples", 1, 65536, c.samples));
    if (s.has("sparsity")) c.sparsity = parse_sparsity(s);
    c.trials = static_cast<int>(s.get_int("trials", 1, 1000000, c.trials));
    c.threads = static_cast<int>(s.get_int("threads", 0, 1024, c.threads));
    s.finish();
  }
  c.faults = parse_parameter_faults(top.get_object("parameter_faults"));
  top.finish();
  if (c.onnx.file.empty() && c.model.parameter_count() > kMaxParameters)
    top.fail("dlrm", "the model has " + std::to_string(c.model.parameter_count()) +
                         " parameters, more than the allowed " + std::to_string(kMaxParameters));
  check_memory(golden_bytes(c), file + ": the fault-free runs of \"dlrm\" and \"study\"");
  Graph shapes = shape_graph(c);
  const ParameterSet set = parameters_in_use_order(shapes);
  c.parameters = set.parameter_count();
  resolve_parameter_faults(c.faults, set);
  return c;
}

DlrmCellSummary summarize(const std::vector<DlrmTrial>& trials) {
  DlrmCellSummary s;
  s.trials = static_cast<int>(trials.size());
  double mse_sum = 0.0, rmse_sum = 0.0, flips = 0.0;
  for (const auto& t : trials) {
    flips += static_cast<double>(t.bit_flips);
    if (std::isnan(t.rmse)) continue;
    ++s.finite_trials;
    mse_sum += t.rmse * t.rmse;
    rmse_sum += t.rmse;
    s.trial_rmse_max = std::max(s.trial_rmse_max, t.rmse);
  }
  s.mean_bit_flips = trials.empty() ? 0.0 : flips / static_cast<double>(trials.size());
  const int n = s.finite_trials;
  const double nan = std::nan("");
  if (n == 0) {
    s.rmse = s.rmse_lo = s.rmse_hi = s.trial_rmse_mean = s.trial_rmse_max = nan;
    return s;
  }
  const double mse = mse_sum / n;
  s.rmse = std::sqrt(mse);
  s.trial_rmse_mean = rmse_sum / n;
  if (n < 2) {
    s.rmse_lo = s.rmse_hi = nan;
    return s;
  }
  double ss = 0.0;
  for (const auto& t : trials)
    if (!std::isnan(t.rmse)) ss += (t.rmse * t.rmse - mse) * (t.rmse * t.rmse - mse);
  const double half = boost::math::quantile(boost::math::students_t_distribution<double>(n - 1), 0.975) *
                      std::sqrt(ss / (n - 1)) / std::sqrt(static_cast<double>(n));
  s.rmse_lo = std::sqrt(std::max(0.0, mse - half));
  s.rmse_hi = std::sqrt(mse + half);
  return s;
}

const DlrmCell& DlrmStudyResult::cell(std::size_t sparsity, std::size_t model, std::size_t target) const {
  const std::size_t targets = target_parameters.size();
  const std::size_t models = cells.size() / (targets * golden.size());
  return cells.at((sparsity * models + model) * targets + target);
}

namespace {

// The fault-free side of the study: the model's graph (its initializers are the clean
// parameters), and per sparsity what binds it to that sparsity's batch (the sparse inputs
// are integer constants, so the bound graphs differ only in those and in the shapes they
// set) with the batch's dense input and recorded run.
struct GoldenBatches {
  Graph model;  // bound to sparsity 0
  struct Bound {
    std::map<std::string, IntTensor> int_constants;
    std::map<std::string, std::vector<int>> shapes;
    GraphRun run;  // recorded
  };
  std::vector<Bound> batches;

  void bind(Graph& g, std::size_t sparsity) const {
    g.int_constants = batches[sparsity].int_constants;
    g.shapes = batches[sparsity].shapes;
  }
};

GoldenBatches golden_batches(const DlrmStudyConfig& cfg, const DlrmStudyOptions& o, const GraphOfBatch& graph_of) {
  GoldenBatches golden;
  const PeFaults healthy;
  const auto engine = make_engine(o.engine, cfg.array, healthy, 1);
  for (std::size_t s = 0; s < cfg.sparsity.size(); ++s) {
    const DlrmBatch batch = synthetic_dlrm_batch(cfg.model, cfg.samples, cfg.sparsity[s], stream_seed(o.seed, 100 + s));
    Graph g = graph_of(batch);
    GraphRun run = run_graph(g, batch.dense, *engine, true);
    golden.batches.push_back({g.int_constants, g.shapes, std::move(run)});
    if (s == 0) golden.model = std::move(g);
  }
  return golden;
}

// The faulty model's outputs: only what the corrupted tensors reach is recomputed
// (workloads/models/incremental_run.h), bit-identical to a full run.
Tensor faulty_output(const Graph& g, const ParameterSet& set, const Injection& inj, const GraphRun& golden,
                     Engine& engine) {
  RerunScope scope;
  for (const auto& f : inj.flips) scope.changed_initializers.insert(set[f.tensor].name);
  return rerun_graph(g, golden, engine, scope).outputs.at(0);
}

std::vector<DlrmCell> empty_cells(const DlrmStudyConfig& cfg, std::size_t targets) {
  std::vector<DlrmCell> cells;
  for (std::size_t s = 0; s < cfg.sparsity.size(); ++s)
    for (std::size_t m = 0; m < cfg.faults.models.size(); ++m)
      for (std::size_t t = 0; t < targets; ++t) {
        DlrmCell c;
        c.sparsity = s, c.model = m, c.target = t;
        c.trials.resize(static_cast<std::size_t>(cfg.trials));
        cells.push_back(std::move(c));
      }
  return cells;
}

// One worker's copy of the model (its parameters are injected and undone per trial), the
// sparsity its graph is bound to, and its engine.
struct TrialWorker {
  TrialWorker(const GoldenBatches& golden, const ArrayConfig& array, const std::string& engine_name)
      : graph(golden.model), set(parameters_in_use_order(graph)), engine(make_engine(engine_name, array, healthy, 1)) {}
  Graph graph;
  ParameterSet set;  // points into graph: a worker never moves
  PeFaults healthy;
  std::unique_ptr<Engine> engine;
  std::size_t bound = 0;
};

// Workers made on first need and lent to one group at a time: the runner's threads (and,
// on rank 0 of an MPI run, its proxy threads, which compute nothing) share them.
class TrialWorkers {
 public:
  TrialWorkers(const GoldenBatches& golden, const ArrayConfig& array, const std::string& engine)
      : golden_(golden), array_(array), engine_(engine) {}

  class Lease {
   public:
    Lease(TrialWorkers& owner, std::unique_ptr<TrialWorker> w) : owner_(owner), w_(std::move(w)) {}
    ~Lease() { owner_.give_back(std::move(w_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    TrialWorker& operator*() const { return *w_; }

   private:
    TrialWorkers& owner_;
    std::unique_ptr<TrialWorker> w_;
  };

  Lease lease() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<TrialWorker> w = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(w));
      }
    }
    return Lease(*this, std::make_unique<TrialWorker>(golden_, array_, engine_));
  }

 private:
  void give_back(std::unique_ptr<TrialWorker> w) {
    const std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(w));
  }

  const GoldenBatches& golden_;
  const ArrayConfig& array_;
  const std::string& engine_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<TrialWorker>> idle_;
};

// A trial's result as bytes, for distributed runs; `slot(task)` is where task's trial is stored.
ResultCodec dlrm_trial_codec(const std::function<DlrmTrial&(std::size_t)>& slot) {
  return {[slot](std::size_t task, ByteWriter& w) {
            const DlrmTrial& t = slot(task);
            w.put(t.rmse);
            w.put(t.nonfinite_outputs);
            w.put(t.bit_flips);
          },
          [slot](std::size_t task, ByteReader& r) {
            DlrmTrial& t = slot(task);
            t.rmse = r.get<double>();
            t.nonfinite_outputs = r.get<long long>();
            t.bit_flips = r.get<std::uint64_t>();
          }};
}

}  // namespace

namespace {

DlrmStudyResult run_study(const DlrmStudyConfig& cfg, const GraphOfBatch& graph_of, const DlrmStudyOptions& o,
                          std::ostream& progress) {
  const GoldenBatches golden = golden_batches(cfg, o, graph_of);
  DlrmStudyResult result;
  std::vector<ResolvedTarget> targets;
  {
    Graph copy = golden.model;
    const ParameterSet set = parameters_in_use_order(copy);
    targets = resolve_parameter_faults(cfg.faults, set);
    result.parameters = set.parameter_count();
  }
  for (const auto& t : targets) result.target_parameters.push_back(t.elements());
  for (const auto& b : golden.batches) result.golden.push_back(b.run.outputs.at(0));
  result.forward_cycles = golden.batches.front().run.cycles;
  result.cells = empty_cells(cfg, targets.size());

  const auto total = static_cast<std::size_t>(result.cells.size()) * static_cast<std::size_t>(cfg.trials);
  const std::uint64_t trial_seed_base = stream_seed(o.seed, 0x7e57);
  TrialWorkers workers(golden, cfg.array, o.engine);
  auto trial = [&](TrialWorker& w, std::size_t task) {
    const DlrmCell& cell = result.cells[task / static_cast<std::size_t>(cfg.trials)];
    if (cell.sparsity != w.bound) golden.bind(w.graph, w.bound = cell.sparsity);
    const GraphRun& g_run = golden.batches[cell.sparsity].run;
    const Tensor& clean_out = g_run.outputs.at(0);
    const Injection inj = inject(w.set, targets[cell.target], cfg.faults.models[cell.model],
                                 stream_seed(trial_seed_base, static_cast<std::uint64_t>(task)));
    const DlrmTrial t = inj.flips.empty()
                            ? compare(clean_out, clean_out, 0)
                            : compare(clean_out, faulty_output(w.graph, w.set, inj, g_run, *w.engine), inj.bit_flips());
    inj.undo(w.set);
    return t;
  };
  auto slot = [&result, &cfg](std::size_t task) -> DlrmTrial& {
    return result.cells[task / static_cast<std::size_t>(cfg.trials)].trials[task % static_cast<std::size_t>(cfg.trials)];
  };
  ProgressMeter bar(progress, o.progress, "accsim: dlrm trials");
  ExperimentRunnerOptions runner;
  runner.threads = o.engine == "cycle" ? 1 : o.threads;  // one SystemC kernel per process
  runner.progress = &bar;
  std::vector<char> done(total, 0);
  run_distributed(  // over the MPI ranks when started by mpirun (docs/scale_out.md)
      pending_experiments(done, -1), done,
      [&](const std::vector<std::size_t>& tasks) -> std::function<void()> {
        std::vector<DlrmTrial> trials;
        {
          const TrialWorkers::Lease w = workers.lease();
          for (std::size_t task : tasks) trials.push_back(trial(*w, task));
        }
        return [&slot, tasks, trials = std::move(trials)] {
          for (std::size_t k = 0; k < tasks.size(); ++k) slot(tasks[k]) = trials[k];
        };
      },
      nullptr, dlrm_trial_codec(slot), runner);
  bar.finish();
  for (auto& c : result.cells) c.summary = summarize(c.trials);
  return result;
}

}  // namespace

DlrmStudyResult run_dlrm_study(const DlrmStudyConfig& cfg, const DlrmStudyOptions& o, std::ostream& progress) {
  const DlrmParameters clean = cfg.onnx.file.empty() ? init_dlrm_parameters(cfg.model, o.seed) : DlrmParameters{};
  return run_study(cfg, graph_of_batch(cfg, clean), o, progress);
}

DlrmStudyResult run_dlrm_study(const DlrmStudyConfig& cfg, const DlrmParameters& parameters, const DlrmStudyOptions& o,
                               std::ostream& progress) {
  if (!cfg.onnx.file.empty()) throw std::invalid_argument("run_dlrm_study: parameters are for the built-in model");
  return run_study(cfg, graph_of_batch(cfg, parameters), o, progress);
}

namespace {
// Pads to `width` display columns (the text may hold multi-byte UTF-8 such as "±").
std::string pad(const std::string& text, std::size_t width) {
  std::size_t columns = 0;
  for (unsigned char ch : text) columns += (ch & 0xc0) != 0x80;
  return text + std::string(columns < width ? width - columns : 0, ' ');
}
}  // namespace

std::string format_dlrm_table(const DlrmStudyConfig& cfg, const DlrmStudyResult& r) {
  const auto& models = cfg.faults.models;
  const bool ber = models.front().kind == ParameterFaultKind::ber;
  const std::size_t width = 28;
  std::string out;
  char buf[256];
  for (std::size_t s = 0; s < cfg.sparsity.size(); ++s) {
    std::snprintf(buf, sizeof buf, "sparsity %g (%d samples, %d trials per cell)\n", cfg.sparsity[s], cfg.samples,
                  cfg.trials);
    out += buf;
    std::string line = pad(ber ? "BER" : "faults", 12);
    for (std::size_t t = 0; t < cfg.faults.targets.size(); ++t)
      line += "  " + pad(cfg.faults.targets[t].name + " (" + std::to_string(r.target_parameters[t]) + ")", width);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
    for (std::size_t m = 0; m < models.size(); ++m) {
      line = pad(ber ? model_value(models[m]) : models[m].describe(), 12);
      for (std::size_t t = 0; t < cfg.faults.targets.size(); ++t) {
        const DlrmCellSummary& c = r.cell(s, m, t).summary;
        std::string text;
        if (c.finite_trials == 0) {
          text = "nan";
        } else if (c.rmse == 0.0) {
          text = "0";
        } else {
          text = std::isnan(c.rmse_lo) ? fmt("%.3g", c.rmse) : interval_text(c.rmse, c.rmse_lo, c.rmse_hi, 3);
        }
        if (c.nonfinite_trials() > 0) text += " " + std::to_string(c.nonfinite_trials()) + "nan";
        line += "  " + pad(text, width);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
  }
  return out;
}

Table dlrm_csv_table(const DlrmStudyConfig& cfg, const DlrmStudyResult& r) {
  const auto real = [](const char* name) { return ColumnSpec{name, CellType::real, ""}; };
  const auto integer = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  const auto text = [](const char* name) { return ColumnSpec{name, CellType::text, ""}; };
  Table t({real("sparsity"), text("model"), text("kind"), real("rate"), integer("count"), text("target"),
           integer("target_parameters"), integer("trials"), integer("finite_trials"), integer("nonfinite_trials"),
           real("rmse"), real("rmse_lo"), real("rmse_hi"), real("trial_rmse_mean"), real("trial_rmse_max"),
           real("mean_bit_flips")});
  for (const auto& c : r.cells) {
    const ParameterFaultModel& m = cfg.faults.models[c.model];
    const DlrmCellSummary& s = c.summary;
    t.add_row({cfg.sparsity[c.sparsity], m.describe(), to_string(m.kind), m.rate, m.count,
               cfg.faults.targets[c.target].name, r.target_parameters[c.target], s.trials, s.finite_trials,
               s.nonfinite_trials(), s.rmse, s.rmse_lo, s.rmse_hi, s.trial_rmse_mean, s.trial_rmse_max,
               s.mean_bit_flips});
  }
  return t;
}

namespace {

Table summary_table(const DlrmStudyConfig& cfg, const DlrmStudyResult& r) {
  const auto real = [](const char* name) { return ColumnSpec{name, CellType::real, ""}; };
  const auto integer = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  Table t({integer("sparsity_index"), integer("model_index"), real("rate"), integer("count"), integer("target_index"),
           integer("trials"), integer("finite_trials"), integer("nonfinite_trials"), real("rmse"), real("rmse_lo"),
           real("rmse_hi"), real("trial_rmse_mean"), real("trial_rmse_max"), real("mean_bit_flips")});
  for (const auto& c : r.cells) {
    const ParameterFaultModel& m = cfg.faults.models[c.model];
    const DlrmCellSummary& s = c.summary;
    t.add_row({c.sparsity, c.model, m.rate, m.count, c.target, s.trials, s.finite_trials, s.nonfinite_trials(), s.rmse,
               s.rmse_lo, s.rmse_hi, s.trial_rmse_mean, s.trial_rmse_max, s.mean_bit_flips});
  }
  return t;
}

Table trials_table(const DlrmStudyResult& r) {
  Table t({{"sparsity_index", CellType::integer, ""},
           {"model_index", CellType::integer, ""},
           {"target_index", CellType::integer, ""},
           {"trial", CellType::integer, ""},
           {"rmse", CellType::real, ""},
           {"nonfinite_outputs", CellType::integer, ""},
           {"bit_flips", CellType::integer, ""}});
  for (const auto& c : r.cells)
    for (std::size_t k = 0; k < c.trials.size(); ++k)
      t.add_row({c.sparsity, c.model, c.target, k, c.trials[k].rmse, c.trials[k].nonfinite_outputs,
                 c.trials[k].bit_flips});
  return t;
}

}  // namespace

void write_dlrm_results(const std::string& file, const DlrmStudyConfig& cfg, const DlrmStudyOptions& o,
                        const DlrmStudyResult& r) {
  ResultsFile h5(file);
  write_output_format(h5, kDlrmOutput);
  h5.set_attribute("/", "accsim_version", std::string(ACCSIM_VERSION));
  h5.set_attribute("/", "config", cfg.json_text);
  h5.set_attribute("/", "config_file", cfg.file);
  h5.set_attribute("/", "seed", static_cast<std::int64_t>(o.seed));
  h5.set_attribute("/", "engine", o.engine);
  h5.set_attribute("/", "model", describe_model(cfg));
  h5.set_attribute("/", "parameters", static_cast<std::int64_t>(r.parameters));
  h5.set_attribute("/", "forward_cycles", static_cast<std::int64_t>(r.forward_cycles));
  h5.set_attribute("/", "samples", static_cast<std::int64_t>(cfg.samples));
  h5.set_attribute("/", "trials", static_cast<std::int64_t>(cfg.trials));
  std::vector<std::string> targets, models;
  for (const auto& t : cfg.faults.targets) targets.push_back(t.name);
  for (const auto& m : cfg.faults.models) models.push_back(m.describe());
  h5.write_strings("/targets", targets);
  h5.write_strings("/models", models);
  std::vector<std::int64_t> tp(r.target_parameters.begin(), r.target_parameters.end());
  h5.write_int64s("/target_parameters", tp);
  h5.write_doubles("/sparsity", cfg.sparsity);
  h5.write_table("/summary", summary_table(cfg, r));
  h5.write_table("/trials", trials_table(r));
  for (std::size_t s = 0; s < r.golden.size(); ++s) h5.write_tensor("/golden/sparsity_" + std::to_string(s), r.golden[s]);
  h5.commit();
}

}  // namespace accsim
