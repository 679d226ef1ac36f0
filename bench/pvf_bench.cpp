// PVF campaign throughput: experiments per second of `accsim pvf`'s engine
// (workloads/pvf/pvf_campaign: per experiment one single-bit flip (SBF) in the weights of a
// target layer, inference of ONE test image drawn from a pool, classification, undo) on
// LeNet-5 with its trained parameters (configs/models/lenet5_fashion_mnist.h5) and a pool
// of 1000 Fashion-MNIST test images on the small preset, at 1 thread and at the thread
// count accsim uses, next to a PyTorch loop doing the same per experiment
// (bench/pvf_torch.py: Debian's python3-torch, round robin over the 5 layers, random
// weight, random bit, one random image of the pool, forward, classify, flip back) timed
// at the same thread counts in one process after the benchmarks; the ratio is taken
// against PyTorch's faster configuration, wall clock and per core (skipped with a
// message when torch is missing).
//
// Benchmarks (T: 1 and the thread count accsim uses):
//   pvf/lenet5/sbf/<T>_threads                 SBF into each layer's weights, 5 targets
//   pvf/lenet5/sbf/setup_only/<T>_threads      one experiment per target: a run's fixed cost
//                                              (the fault-free records of the pool), so that
//                                              the experiments alone give the thread scaling
//   pvf/lenet5/sbf/no_shortcut/<T>_threads     the whole network rerun per experiment (the reference)
//   pvf/lenet5/sbf/4_mitigations/<T>_threads   plus the shipped config's four mitigation variants
//   pvf/vit/sbf/<shortcut|no_shortcut>/1_thread  configs/experiments/pvf_vit_fmnist.json's study
//                                              (smaller) on one thread: reruns of the nodes a
//                                              corrupted initializer changes, or of the whole graph
// Counters: "exp/s", experiments per wall-clock second, each iteration a whole run_pvf
// (the fault-free records of the pool included, as in a real run); "cpu_s/iter", CPU
// seconds of every thread per run. With
// --benchmark_repetitions=N the summary takes each benchmark's fastest repetition.
//
// Both sides count every experiment, including those whose image the fault-free model
// already misclassifies (not counted in the PVF: accsim skips their inference, the
// PyTorch loop runs it; about one experiment in nine with the trained parameters).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arch/random.h"
#include "bench_common.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/onnx_import.h"
#include "workloads/models/model_file.h"
#include "workloads/pvf/pvf_campaign.h"
#include "workloads/pvf/pvf_config.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

constexpr int kPool = 1000;
// x 5 targets = 50000 experiments per run: enough that the fixed cost of a run (the
// fault-free records of the pool) is a small part of it.
constexpr long long kExperimentsPerTarget = 10000;

struct Pool {
  Tensor images;
  std::vector<int> labels;
  std::string source;
};

const Pool& test_pool() {
  static const Pool pool = [] {
    Pool p;
    if (fashion_mnist_available(kFashionMnistDir)) {
      LabelledImages d = load_fashion_mnist(kFashionMnistDir, DatasetSplit::test, 0, kPool);
      p.images = std::move(d.images);
      p.labels = std::move(d.labels);
      p.source = "Fashion-MNIST";
    } else {
      Rng rng(7);
      p.images = Tensor({kPool, 1, 28, 28});
      for (auto& v : p.images.values()) v = rng.uniform01();
      for (int i = 0; i < kPool; ++i) p.labels.push_back(static_cast<int>(rng.below(10)));
      p.source = "synthetic";
    }
    return p;
  }();
  return pool;
}

struct Model {
  Network network;
  NetworkParameters params;
  std::string source;
};

const Model& lenet_model() {
  static const Model model = [] {
    Model m;
    m.network = lenet5();
    const std::string file = bench_dir() + "/../configs/models/lenet5_fashion_mnist.h5";
    if (std::filesystem::exists(file)) {
      m.params = read_parameters(file, m.network);
      m.source = "trained parameters";
    } else {
      std::fprintf(stderr, "pvf_bench: note: %s is missing; seeded random parameters instead\n", file.c_str());
      m.params = init_parameters(m.network, 1);
      m.source = "random parameters";
    }
    return m;
  }();
  return model;
}

PvfCampaign lenet_pvf(int threads, bool mitigations, long long experiments_per_target) {
  PvfCampaign c;
  c.array = preset("small");
  c.network = lenet_model().network;
  c.params = lenet_model().params;
  c.images = test_pool().images;
  c.labels = test_pool().labels;
  c.seed = 1;
  PvfConfig& pc = c.config;
  pc.model = "";  // the parameters are already in c.params
  pc.experiments = experiments_per_target;
  pc.test_offset = 0;
  pc.test_limit = kPool;
  pc.threads = threads;
  ParameterFaultsConfig& f = pc.faults;
  f.models = {ParameterFaultModel{}};  // sbf
  f.file = "bench";
  f.path = "parameter_faults";
  for (const LayerSpec& l : c.network.layers) {
    f.targets.push_back(ParameterTarget{l.name, {l.name}, ParameterKind::weight, {}});
    f.target_paths.push_back("parameter_faults (target " + l.name + ")");
  }
  if (mitigations) {
    MitigationConfig saturate, zero, exponent, bit30;
    saturate.clip = ActivationClip{ClipMode::saturate, 6.0f};
    zero.clip = ActivationClip{ClipMode::zero, 6.0f};
    exponent.protect_bits = {30, 29, 28, 27, 26, 25, 24, 23};
    bit30.protect_bits = {30};
    pc.mitigations = {{"clip_saturate6", saturate},
                      {"clip_zero6", zero},
                      {"protect_exponent", exponent},
                      {"protect_bit30", bit30}};
  }
  return c;
}

// The ViT study of configs/experiments/pvf_vit_fmnist.json (SBF into the 24 block
// weights of configs/models/vit_fmnist.onnx), smaller: the first kVitPool images of the
// pool, kVitPerTarget experiments per target, one thread.
constexpr int kVitPool = 100;
constexpr long long kVitPerTarget = 100;

std::string vit_file() { return config_dir() + "/models/vit_fmnist.onnx"; }

PvfCampaign vit_pvf() {
  const std::string file = config_dir() + "/experiments/pvf_vit_fmnist.json";
  const nlohmann::json j = ConfigReader::load_file(file);
  PvfCampaign c;
  c.array = parse_array_config(ConfigReader(j.at("array"), file, "array"));
  c.graph = std::make_shared<const Graph>(load_onnx_model(vit_file(), 1));
  ConfigReader faults(j.at("parameter_faults"), file, "parameter_faults");
  c.config = parse_pvf_config(ConfigReader(j.at("pvf"), file, "pvf"), &faults, *c.graph, file);
  c.config.experiments = kVitPerTarget;
  c.config.test_limit = kVitPool;
  c.config.threads = 1;
  const Pool& pool = test_pool();
  c.images = Tensor({kVitPool, 1, 28, 28});
  std::copy(pool.images.data(), pool.images.data() + c.images.size(), c.images.data());
  c.labels.assign(pool.labels.begin(), pool.labels.begin() + kVitPool);
  c.seed = 1;
  return c;
}

// The unprotected run's outcome counts (of a benchmark's last iteration), for its label.
struct Tally {
  long long masked = 0, sdc = 0, crash = 0, not_counted = 0, experiments = 0;
};

void run_pvf_benchmark(benchmark::State& state, const PvfCampaign& c, bool shortcut) {
  PvfRunOptions options;
  options.shortcut = shortcut;
  Tally t;
  long long experiments = 0;
  const CpuTimer cpu;
  for (auto _ : state) {
    const PvfResults r = run_pvf(c, options);
    t = Tally{};
    for (const auto& e : r.experiments) {
      switch (e.outcomes.empty() ? PvfOutcome::not_counted : e.outcomes.front()) {
        case PvfOutcome::masked: ++t.masked; break;
        case PvfOutcome::sdc: ++t.sdc; break;
        case PvfOutcome::crash: ++t.crash; break;
        case PvfOutcome::not_counted: ++t.not_counted; break;
      }
    }
    t.experiments = static_cast<long long>(r.experiments.size());
    experiments += t.experiments;
  }
  cpu.stop(state);
  state.counters["exp/s"] = benchmark::Counter(static_cast<double>(experiments), benchmark::Counter::kIsRate);
  char label[192];
  std::snprintf(label, sizeof label, "%lld exp (%zu variants), %d %s images: %lld masked, %lld SDC, %lld crash, %lld not counted",
                t.experiments, 1 + c.config.mitigations.size(), c.images.dim(0), test_pool().source.c_str(), t.masked, t.sdc,
                t.crash, t.not_counted);
  state.SetLabel(label);
}

void BM_pvf(benchmark::State& state, int threads, bool shortcut, bool mitigations, long long experiments_per_target) {
  run_pvf_benchmark(state, lenet_pvf(threads, mitigations, experiments_per_target), shortcut);
}

std::string vit_name(bool shortcut) { return std::string("pvf/vit/sbf/") + (shortcut ? "shortcut/" : "no_shortcut/") + threads_name(1); }

const std::string kPvf = "pvf/lenet5/sbf";
const std::string kSetup = "pvf/lenet5/sbf/setup_only";
const std::string kFull = "pvf/lenet5/sbf/no_shortcut";
const std::string kMitig = "pvf/lenet5/sbf/4_mitigations";

void register_benchmarks() {
  auto pvf = [](const std::string& prefix, bool shortcut, bool mitigations, long long per_target) {
    for (int t : thread_counts()) {
      benchmark::RegisterBenchmark((prefix + "/" + threads_name(t)).c_str(), [=](benchmark::State& st) {
        BM_pvf(st, t, shortcut, mitigations, per_target);
      })->UseRealTime()->MinTime(2.0)->Unit(benchmark::kMillisecond);
    }
  };
  pvf(kPvf, true, false, kExperimentsPerTarget);
  pvf(kSetup, true, false, 1);  // one experiment per target: the fixed cost of a run
  pvf(kFull, false, false, kExperimentsPerTarget / 10);
  pvf(kMitig, true, true, kExperimentsPerTarget / 5);  // 5 variants: ~5x the time per experiment
  if (!std::filesystem::exists(vit_file())) return;
  for (bool shortcut : {true, false})
    benchmark::RegisterBenchmark(vit_name(shortcut).c_str(), [shortcut](benchmark::State& st) {
      run_pvf_benchmark(st, vit_pvf(), shortcut);
    })->UseRealTime()->MinTime(1.0)->Unit(benchmark::kMillisecond);
}

// The ViT study, one thread, per CPU second: rerunning only the nodes a corrupted
// initializer changes against rerunning the whole graph.
void print_vit(const SummaryReporter& rep) {
  const double fast = rep.cpu_rate(vit_name(true), "exp/s"), full = rep.cpu_rate(vit_name(false), "exp/s");
  if (fast <= 0 || full <= 0) return;
  std::printf("  ViT study (pvf_vit_fmnist.json's 24 targets x %lld experiments, pool of %d images), one thread, per CPU "
              "second, the whole run: %sexp/s with reruns, %sexp/s rerunning the whole graph (%.1fx)\n",
              kVitPerTarget, kVitPool, si(fast).c_str(), si(full).c_str(), fast / full);
}

// The shortcut against the full rerun (tests/workloads check that their outcomes agree).
void print_shortcut(const Rates& pvf, const Rates& full) {
  if (full.empty() || pvf.empty()) return;
  std::printf("  without the shortcut (whole network rerun per experiment): %s; the shortcut is %.1fx faster (fastest "
              "of each)\n",
              rates_text(full, "exp/s").c_str(), fastest(pvf).rate / fastest(full).rate);
}

void print_mitigations(const Rates& pvf, const Rates& mitig) {
  if (mitig.empty() || pvf.empty()) return;
  const double factor = fastest(pvf).rate / fastest(mitig).rate;
  std::printf("  with 4 mitigation variants (clip saturate 6, clip zero 6, protect bits 30..23, protect bit 30): %s: "
              "%.2fx the time of the unprotected run alone (+%.2fx per variant; fastest of each)\n",
              rates_text(mitig, "exp/s").c_str(), factor, (factor - 1.0) / 4.0);
}

void print_summary(const SummaryReporter& rep) {
  const Rates pvf = rep.rates(kPvf, "exp/s"), full = rep.rates(kFull, "exp/s"), mitig = rep.rates(kMitig, "exp/s");
  std::printf("\nSummary (PVF experiments per wall-clock second, LeNet-5 %s, SBF into each layer's weights, one image of a "
              "pool of %d %s test images per experiment, small preset; %s):\n",
              lenet_model().source.c_str(), kPool, test_pool().source.c_str(), load_average().c_str());
  if (!pvf.empty()) std::printf("  accsim pvf: %s\n", rates_text(pvf, "exp/s").c_str());
  print_shortcut(pvf, full);
  print_scaling(rep, kPvf, kSetup, 5 * kExperimentsPerTarget, 1.8);
  print_mitigations(pvf, mitig);
  print_vit(rep);
  if (pvf.empty()) return;  // nothing to compare with the PyTorch loop
  const TorchBaseline torch = run_torch_baseline("pvf_torch.py", "--pool " + std::to_string(kPool));
  if (!print_torch_baseline(torch)) return;
  const Ratio r = print_comparison("accsim pvf", pvf, "PyTorch loop", torch.rate, "exp/s", rep.cpu_rates(kPvf, "exp/s"),
                                   torch.cpu_rate);
  print_target("per core", r.per_core, 30.0);
  std::printf("  (%s after the PyTorch runs)\n", load_average().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "pvf_bench", register_benchmarks, print_summary, [] {
    test_pool();
    lenet_model();
  });
}
