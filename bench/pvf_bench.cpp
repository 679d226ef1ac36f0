// PVF campaign throughput: experiments per second of `accsim pvf`'s engine
// (workloads/pvf/pvf_campaign: per experiment one single-bit flip (SBF) in the weights of a
// target layer, inference of ONE test image drawn from a pool, classification, undo) on
// LeNet-5 with its trained parameters (configs/models/lenet5_fashion_mnist.h5) and a pool
// of 1000 Fashion-MNIST test images on the small preset, next to a PyTorch loop doing
// the same per experiment, measured in the same run (bench/pvf_torch.py: Debian's
// python3-torch, 2 threads, round robin over the 5 layers, random weight, random bit,
// one random image of the pool, forward, classify, flip back; skipped with a message
// when torch is missing). The target: >= 20x a PyTorch loop that flips the same
// bits and reruns inference.
//
// Benchmarks (wall-clock rates: both sides use 2 threads):
//   pytorch/lenet5/sbf/2_threads                 the baseline (one timed run of the script)
//   pvf/lenet5/sbf/2_threads                     SBF into each layer's weights, 5 targets
//   pvf/lenet5/sbf/1_thread                      the same on one thread
//   pvf/lenet5/sbf/no_shortcut/2_threads         the whole network rerun per experiment (the reference)
//   pvf/lenet5/sbf/4_mitigations/2_threads       plus the shipped config's four mitigation variants
//   pvf/lenet5/sbf/setup_only/2_threads          one experiment per target: a run's fixed cost (the
//                                                fault-free records of the pool)
// Counters: "exp/s", experiments per wall-clock second, each iteration a whole run_pvf
// (the fault-free records of the pool included, as in a real run); "exp/cpu_s", the
// same per second of CPU time of all threads (the benchmark's process, the PyTorch child
// process's timed loop), which a machine shared with other work disturbs less; "s/run",
// wall-clock seconds per run_pvf.
//
// Both sides count every experiment, including those whose image the fault-free model
// already misclassifies (not counted in the PVF: accsim skips their inference, the
// PyTorch loop runs it; about one experiment in nine with the trained parameters).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "arch/random.h"
#include "bench_common.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/model_file.h"
#include "workloads/pvf/pvf_campaign.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

constexpr int kPool = 1000;
constexpr long long kExperimentsPerTarget = 2000;  // x 5 targets = 10000 experiments per run

std::string bench_dir() {
  std::string file = __FILE__;
  const std::size_t slash = file.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

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

// Per benchmark: the unprotected run's outcome counts of its last iteration (for the
// summary's check that the shortcut and the full rerun agree) and its experiment count.
struct Tally {
  long long masked = 0, sdc = 0, crash = 0, not_counted = 0, experiments = 0;
  bool operator==(const Tally& o) const {
    return masked == o.masked && sdc == o.sdc && crash == o.crash && not_counted == o.not_counted;
  }
};
std::map<std::string, Tally> g_tally;

void BM_pvf(benchmark::State& state, const std::string& name, int threads, bool shortcut, bool mitigations,
            long long experiments_per_target) {
  const PvfCampaign c = lenet_pvf(threads, mitigations, experiments_per_target);
  PvfRunOptions options;
  options.shortcut = shortcut;
  Tally t;
  long long experiments = 0;
  const double cpu0 = process_cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
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
  const double cpu = process_cpu_seconds() - cpu0;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  g_tally[name] = t;
  state.counters["exp/s"] = benchmark::Counter(static_cast<double>(experiments), benchmark::Counter::kIsRate);
  state.counters["exp/cpu_s"] = static_cast<double>(experiments) / cpu;
  state.counters["s/run"] = wall / static_cast<double>(state.iterations());
  char label[192];
  std::snprintf(label, sizeof label, "%lld exp (%zu variants), %d %s images: %lld masked, %lld SDC, %lld crash, %lld not counted",
                t.experiments, 1 + c.config.mitigations.size(), kPool, test_pool().source.c_str(), t.masked, t.sdc,
                t.crash, t.not_counted);
  state.SetLabel(label);
}

// Runs bench/pvf_torch.py once: its rate per wall-clock second (0 with `why` set when it
// did not run), per CPU second of its timed loop (`cpu_rate`) and the loop's wall seconds.
double pytorch_rate(std::string& why, std::string& detail, double& cpu_rate, double& seconds) {
  const std::string cmd = "cd " + bench_dir() + " && /usr/bin/python3 pvf_torch.py --pool " + std::to_string(kPool) +
                          " --threads 2 --seconds 3 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    why = "cannot start /usr/bin/python3";
    return 0.0;
  }
  char line[1024];
  double rate = 0.0;
  std::string last;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    last = line;
    if (last.rfind("rate ", 0) == 0) {
      rate = std::atof(last.c_str() + 5);
      const std::size_t at = last.find("cpu_rate ");
      cpu_rate = at == std::string::npos ? 0.0 : std::atof(last.c_str() + at + 9);
      const std::size_t s = last.find(" seconds ");
      seconds = s == std::string::npos ? 0.0 : std::atof(last.c_str() + s + 9);
    } else if (!last.empty())
      detail = last.substr(0, last.find('\n'));
  }
  const int status = pclose(pipe);
  if (rate <= 0.0) why = !last.empty() ? last.substr(0, last.find('\n')) : "exit status " + std::to_string(status);
  return rate;
}

void BM_pytorch(benchmark::State& state) {
  std::string why, detail;
  double rate = 0.0, cpu_rate = 0.0, seconds = 0.0;
  for (auto _ : state) rate = pytorch_rate(why, detail, cpu_rate, seconds);
  if (rate <= 0.0) {
    state.SkipWithError(("PyTorch baseline skipped: " + why).c_str());
    return;
  }
  state.counters["exp/s"] = rate;
  state.counters["exp/cpu_s"] = cpu_rate;
  state.counters["s/run"] = seconds;  // the timed loop (not the interpreter's start nor the model's load)
  state.SetLabel(detail);
}

const char* const kPytorch = "pytorch/lenet5/sbf/2_threads";
const char* const kPvf2 = "pvf/lenet5/sbf/2_threads";
const char* const kPvf1 = "pvf/lenet5/sbf/1_thread";
const char* const kFull = "pvf/lenet5/sbf/no_shortcut/2_threads";
const char* const kMitig = "pvf/lenet5/sbf/4_mitigations/2_threads";
const char* const kSetup = "pvf/lenet5/sbf/setup_only/2_threads";

void register_benchmarks() {
  benchmark::RegisterBenchmark(kPytorch, BM_pytorch)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
  auto pvf = [](const char* name, int threads, bool shortcut, bool mitigations, long long per_target) {
    const std::string n = name;
    benchmark::RegisterBenchmark(name,
                                 [=](benchmark::State& st) { BM_pvf(st, n, threads, shortcut, mitigations, per_target); })
        ->UseRealTime()
        ->MinTime(2.0)
        ->Unit(benchmark::kMillisecond);
  };
  pvf(kPvf2, 2, true, false, kExperimentsPerTarget);
  pvf(kPvf1, 1, true, false, kExperimentsPerTarget);
  pvf(kFull, 2, false, false, kExperimentsPerTarget);
  pvf(kMitig, 2, true, true, kExperimentsPerTarget);
  pvf(kSetup, 2, true, false, 1);  // one experiment per target: the fixed cost of a run
}

void print_summary(const SummaryReporter& rep) {
  auto counter = [&](const char* name, const char* key) {
    auto it = rep.counters.find(name);
    if (it == rep.counters.end()) return 0.0;
    auto c = it->second.find(key);
    return c == it->second.end() ? 0.0 : c->second;
  };
  auto rate = [&](const char* name) { return counter(name, "exp/s"); };
  auto cpu_rate = [&](const char* name) { return counter(name, "exp/cpu_s"); };
  const double torch = rate(kPytorch), pvf2 = rate(kPvf2), pvf1 = rate(kPvf1), full = rate(kFull), mitig = rate(kMitig);
  std::printf("\nSummary (PVF experiments per wall-clock second, LeNet-5 %s, SBF into each layer's weights, one image of a "
              "pool of %d %s test images per experiment, small preset):\n",
              lenet_model().source.c_str(), kPool, test_pool().source.c_str());
  if (pvf2 > 0) std::printf("  accsim pvf, 2 threads: %sexp/s (%sexp/cpu_s)\n", si(pvf2).c_str(), si(cpu_rate(kPvf2)).c_str());
  if (pvf1 > 0)
    std::printf("  accsim pvf, 1 thread:  %sexp/s (%sexp/cpu_s; 2 threads: %.2fx)\n", si(pvf1).c_str(),
                si(cpu_rate(kPvf1)).c_str(), pvf2 > 0 ? pvf2 / pvf1 : 0.0);
  if (full > 0 && pvf2 > 0) {
    const auto a = g_tally.find(kPvf2), b = g_tally.find(kFull);
    const bool same = a != g_tally.end() && b != g_tally.end() && a->second == b->second;
    std::printf("  without the shortcut (whole network rerun per experiment), 2 threads: %sexp/s; the shortcut is %.1fx "
                "faster (outcomes %s)\n",
                si(full).c_str(), pvf2 / full, same ? "identical" : "DIFFER: check the shortcut");
  }
  const double setup_s = counter(kSetup, "s/run"), run_s = counter(kPvf2, "s/run");
  if (setup_s > 0 && run_s > setup_s)
    std::printf("  of which the fault-free records of the pool (a run of 5 experiments): %.0f ms of the %.0f ms run (%.0f%%); "
                "the experiments alone: %sexp/s\n",
                1e3 * setup_s, 1e3 * run_s, 100.0 * setup_s / run_s,
                si(static_cast<double>(5 * kExperimentsPerTarget) / (run_s - setup_s)).c_str());
  if (mitig > 0 && pvf2 > 0) {
    // Per CPU second too: one run of it, which another job on the machine can stretch on the wall clock.
    const double factor = pvf2 / mitig, mitig_cpu = cpu_rate(kMitig);
    const double cpu_factor = mitig_cpu > 0 ? cpu_rate(kPvf2) / mitig_cpu : 0.0;
    std::printf("  with 4 mitigation variants (clip saturate 6, clip zero 6, protect bits 30..23, protect bit 30), "
                "2 threads: %sexp/s: %.2fx the time of the unprotected run alone (+%.2fx per variant); per CPU "
                "second %.2fx (+%.2fx per variant)\n",
                si(mitig).c_str(), factor, (factor - 1.0) / 4.0, cpu_factor, (cpu_factor - 1.0) / 4.0);
  }
  if (torch <= 0) {
    std::printf("  PyTorch baseline: skipped (see its benchmark line)\n");
    return;
  }
  const double torch_cpu = cpu_rate(kPytorch);
  std::printf("  PyTorch loop (flip, LeNet-5 forward of one image, classify, flip back), 2 threads: %sexp/s (%sexp/cpu_s)\n",
              si(torch).c_str(), si(torch_cpu).c_str());
  if (pvf2 > 0)
    std::printf("  ratio accsim / PyTorch, 2 threads: %6.1fx wall clock, %6.1fx per CPU second   (issue target >= 20x a "
                "PyTorch loop that flips the same bits and reruns inference: %s)\n",
                pvf2 / torch, torch_cpu > 0 ? cpu_rate(kPvf2) / torch_cpu : 0.0, pvf2 >= 20 * torch ? "met" : "MISSED");
  if (pvf1 > 0)
    std::printf("  ratio accsim 1 thread / PyTorch 2 threads: %6.1fx wall clock\n", pvf1 / torch);
  if (full > 0)
    std::printf("  ratio without the shortcut / PyTorch:      %6.1fx wall clock, %6.1fx per CPU second\n", full / torch,
                torch_cpu > 0 ? cpu_rate(kFull) / torch_cpu : 0.0);
  if (mitig > 0)
    std::printf("  ratio with 4 mitigation variants / PyTorch (unprotected only): %6.1fx wall clock\n", mitig / torch);
  std::printf("  (a machine shared with other work slows PyTorch's OpenMP threads most: compare the per-CPU-second ratio)\n");
}

}  // namespace

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  const bool console_output = console_format(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    preset("small");
    test_pool();
    lenet_model();
    register_benchmarks();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pvf_bench: %s\n", e.what());
    return 1;
  }
  if (!console_output) {
    benchmark::RunSpecifiedBenchmarks();
  } else {
    SummaryReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                   : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_summary(reporter);
    std::fflush(stdout);
  }
  benchmark::Shutdown();
  return 0;
}
