// Campaign throughput: experiments x test images per second of `accsim campaign`'s
// engine (workloads/campaign/campaign: cached fault-free batches, recomputation from the struck
// layer for transients, of the faulty column's planes for stuck-ats) on LeNet-5 and 100
// Fashion-MNIST test images on the small preset, next to a PyTorch loop measured in the
// same run (bench/campaign_torch.py: Debian's python3-torch, 2 threads, weight masks of
// one weight-register stuck-at per experiment, LeNet-5 inference on the same 100 images;
// skipped with a message when torch is missing). The target: >= 20x PyTorch.
//
// Benchmarks (wall-clock rates: both sides use 2 threads):
//   pytorch/lenet5/weight_stuck_at/2_threads      the baseline (one timed run of the script)
//   campaign/lenet5/weight_stuck_at/2_threads     the same fault model as the baseline
//   campaign/lenet5/all_sites/2_threads           every site and kind (the shipped config's mix)
//   campaign/lenet5/all_sites/1_thread            the same on one thread
//   campaign/lenet5/all_sites/no_shortcut/2_threads  every layer of every batch recomputed
// Counters: "exp_img/s", experiments x images per wall-clock second, each iteration a
// whole run_campaign (the fault-free batches included, as in a real run); "exp_img/cpu_s",
// the same per second of CPU time of all threads (the campaign's process, the PyTorch
// child process), which a machine shared with other work disturbs less.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "arch/random.h"
#include "bench_common.h"
#include "workloads/campaign/campaign.h"
#include "workloads/io/fashion_mnist.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

constexpr int kImages = 100;

struct Images {
  Tensor images;
  std::vector<int> labels;
  std::string source;
};

const Images& test_images() {
  static const Images images = [] {
    Images im;
    if (fashion_mnist_available(kFashionMnistDir)) {
      LabelledImages d = load_fashion_mnist(kFashionMnistDir, DatasetSplit::test, 0, kImages);
      im.images = std::move(d.images);
      im.labels = std::move(d.labels);
      im.source = "Fashion-MNIST";
    } else {
      Rng rng(7);
      im.images = Tensor({kImages, 1, 28, 28});
      for (auto& v : im.images.values()) v = rng.uniform01();
      for (int i = 0; i < kImages; ++i) im.labels.push_back(static_cast<int>(rng.below(10)));
      im.source = "synthetic";
    }
    return im;
  }();
  return images;
}

Campaign lenet_campaign(bool weight_stuck_at_only, int threads, long long experiments) {
  Campaign c;
  c.array = preset("small");
  c.network = lenet5();
  c.seed = 1;
  c.params = init_parameters(c.network, c.seed);
  c.images = test_images().images;
  c.labels = test_images().labels;
  CampaignConfig& cc = c.config;
  cc.experiments = experiments;
  cc.test_limit = kImages;
  cc.batch = 20;
  cc.threads = threads;
  if (weight_stuck_at_only) {
    cc.sites = {FaultSite::weight};
    cc.kinds = {FaultKind::stuck_at_0, FaultKind::stuck_at_1};
  } else {
    cc.sites = {FaultSite::weight, FaultSite::input, FaultSite::product, FaultSite::psum, FaultSite::accumulator};
    cc.kinds = {FaultKind::stuck_at_0, FaultKind::stuck_at_1, FaultKind::transient};
  }
  cc.bit_lo = 0;
  cc.bit_hi = 31;
  return c;
}

void BM_campaign(benchmark::State& state, bool weight_only, int threads, bool shortcut, long long experiments) {
  const Campaign c = lenet_campaign(weight_only, threads, experiments);
  CampaignRunOptions options;
  options.shortcut = shortcut;
  long long masked = 0, sdc = 0, crash = 0;
  const double cpu0 = process_cpu_seconds();
  for (auto _ : state) {
    const CampaignResults r = run_campaign(c, options);
    masked = sdc = crash = 0;
    for (const auto& e : r.experiments) {
      masked += e.outcome == Outcome::masked;
      sdc += e.outcome == Outcome::sdc;
      crash += e.outcome == Outcome::crash;
    }
  }
  const double cpu = process_cpu_seconds() - cpu0;
  const double work = static_cast<double>(experiments) * kImages * static_cast<double>(state.iterations());
  state.counters["exp_img/s"] = benchmark::Counter(work, benchmark::Counter::kIsRate);
  state.counters["exp_img/cpu_s"] = work / cpu;
  char label[128];
  std::snprintf(label, sizeof label, "%lld experiments x %d %s images: %lld masked, %lld SDC, %lld crash", experiments,
                kImages, test_images().source.c_str(), masked, sdc, crash);
  state.SetLabel(label);
}

std::string bench_dir() {
  std::string file = __FILE__;
  const std::size_t slash = file.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

// Runs bench/campaign_torch.py once: its rate per wall-clock second (0 with `why` set
// when it did not run) and per CPU second of its timed loop (`cpu_rate`).
double pytorch_rate(std::string& why, std::string& detail, double& cpu_rate) {
  const std::string cmd = "/usr/bin/python3 " + bench_dir() + "/campaign_torch.py --images " + std::to_string(kImages) +
                          " --seconds 5 --threads 2 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    why = "cannot start /usr/bin/python3";
    return 0.0;
  }
  char line[512];
  double rate = 0.0;
  std::string last;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    last = line;
    if (last.rfind("rate ", 0) == 0) {
      rate = std::atof(last.c_str() + 5);
      const std::size_t at = last.find("cpu_rate ");
      cpu_rate = at == std::string::npos ? 0.0 : std::atof(last.c_str() + at + 9);
    } else if (!last.empty())
      detail = last.substr(0, last.find('\n'));
  }
  const int status = pclose(pipe);
  if (rate <= 0.0) why = !last.empty() ? last.substr(0, last.find('\n')) : "exit status " + std::to_string(status);
  return rate;
}

void BM_pytorch(benchmark::State& state) {
  std::string why, detail;
  double rate = 0.0, cpu_rate = 0.0;
  for (auto _ : state) rate = pytorch_rate(why, detail, cpu_rate);
  if (rate <= 0.0) {
    state.SkipWithError(("PyTorch baseline skipped: " + why).c_str());
    return;
  }
  state.counters["exp_img/s"] = rate;
  state.counters["exp_img/cpu_s"] = cpu_rate;
  state.SetLabel(detail);
}

const char* const kPytorch = "pytorch/lenet5/weight_stuck_at/2_threads";
const char* const kWeight = "campaign/lenet5/weight_stuck_at/2_threads";
const char* const kAll2 = "campaign/lenet5/all_sites/2_threads";
const char* const kAll1 = "campaign/lenet5/all_sites/1_thread";
const char* const kFull = "campaign/lenet5/all_sites/no_shortcut/2_threads";

void register_benchmarks() {
  benchmark::RegisterBenchmark(kPytorch, BM_pytorch)->Iterations(1)->UseRealTime()->Unit(benchmark::kSecond);
  auto campaign = [](const char* name, bool weight_only, int threads, bool shortcut, long long experiments) {
    benchmark::RegisterBenchmark(name, [=](benchmark::State& st) { BM_campaign(st, weight_only, threads, shortcut, experiments); })
        ->UseRealTime()
        ->MinTime(2.0)
        ->Unit(benchmark::kMillisecond);
  };
  campaign(kWeight, true, 2, true, 100);
  campaign(kAll2, false, 2, true, 100);
  campaign(kAll1, false, 1, true, 100);
  campaign(kFull, false, 2, false, 10);
}

void print_summary(const SummaryReporter& rep) {
  auto counter = [&](const char* name, const char* key) {
    auto it = rep.counters.find(name);
    if (it == rep.counters.end()) return 0.0;
    auto c = it->second.find(key);
    return c == it->second.end() ? 0.0 : c->second;
  };
  auto rate = [&](const char* name) { return counter(name, "exp_img/s"); };
  auto cpu_rate = [&](const char* name) { return counter(name, "exp_img/cpu_s"); };
  const double torch = rate(kPytorch), weight = rate(kWeight), all2 = rate(kAll2), all1 = rate(kAll1), full = rate(kFull);
  std::printf("\nSummary (experiments x images per wall-clock second, LeNet-5, %d %s test images, small preset):\n", kImages,
              test_images().source.c_str());
  if (weight > 0) std::printf("  campaign, weight-register stuck-ats, 2 threads: %sexp-img/s\n", si(weight).c_str());
  if (all2 > 0) std::printf("  campaign, every site and kind,      2 threads: %sexp-img/s\n", si(all2).c_str());
  if (all1 > 0) std::printf("  campaign, every site and kind,      1 thread:  %sexp-img/s (2 threads: %.2fx)\n",
                            si(all1).c_str(), all2 / all1);
  if (full > 0 && all2 > 0)
    std::printf("  without the shortcut (every layer recomputed), 2 threads: %sexp-img/s; the shortcut is %.1fx faster\n",
                si(full).c_str(), all2 / full);
  if (torch <= 0) {
    std::printf("  PyTorch baseline: skipped (see its benchmark line)\n");
    return;
  }
  std::printf("  PyTorch loop (weight masks of a weight-register stuck-at, LeNet-5 rerun), 2 threads: %sexp-img/s\n",
              si(torch).c_str());
  const double torch_cpu = cpu_rate(kPytorch), weight_cpu = cpu_rate(kWeight), all2_cpu = cpu_rate(kAll2);
  if (weight > 0)
    std::printf("  ratio, same fault model (weight stuck-ats):  %6.1fx wall clock, %6.1fx per CPU second\n",
                weight / torch, torch_cpu > 0 ? weight_cpu / torch_cpu : 0.0);
  if (all2 > 0)
    std::printf("  ratio, every site and kind:                 %6.1fx wall clock, %6.1fx per CPU second   (issue target "
                ">= 20x: %s)\n",
                all2 / torch, torch_cpu > 0 ? all2_cpu / torch_cpu : 0.0, all2 >= 20 * torch ? "met" : "MISSED");
  std::printf("  (load average during the run: see the header; a loaded machine slows PyTorch's OpenMP threads most)\n");
}

}  // namespace

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  const bool console_output = console_format(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    preset("small");
    test_images();
    register_benchmarks();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "campaign_bench: %s\n", e.what());
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
