// Campaign throughput: experiments x test images per second of `accsim campaign`'s
// engine (workloads/campaign/campaign: cached fault-free batches, recomputation from the struck
// layer for transients, of the faulty column's planes for stuck-ats) on LeNet-5 and 100
// Fashion-MNIST test images (one batch) on the small preset, at 1 thread and at the thread count
// accsim uses, next to a PyTorch loop (bench/campaign_torch.py: Debian's python3-torch,
// weight masks of one weight-register stuck-at per experiment, LeNet-5 inference on the
// same 100 images) timed at the same thread counts in one process after the benchmarks;
// the ratio is taken against PyTorch's faster configuration, wall clock and per core
// (skipped with a message when torch is missing).
//
// Benchmarks (T: 1 and the thread count accsim uses):
//   campaign/lenet5/all_sites/<T>_threads             every site and kind (the shipped config's mix)
//   campaign/lenet5/all_sites/setup_only/<T>_threads  a run of one experiment: the fixed cost
//                                                     (the fault-free batches), so that the
//                                                     experiments alone give the thread scaling
//   campaign/lenet5/weight_stuck_at/<T>_threads       the baseline's fault model
//   campaign/lenet5/all_sites/no_shortcut/<T>_threads every layer of every batch recomputed
//   graph_campaign/resnet8/<transients|stuck_ats|all_kinds>/<shortcut|no_shortcut>/1_thread
//                                                     configs/experiments/campaign_resnet_fmnist.json's
//                                                     graph campaign on one thread, incremental
//                                                     rerun against every node recomputed
// Counters: "exp_img/s", experiments x images per wall-clock second, each iteration a
// whole run_campaign (the fault-free batches included, as in a real run); "cpu_s/iter",
// CPU seconds of every thread per run. With
// --benchmark_repetitions=N the summary takes each benchmark's fastest repetition.
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "arch/random.h"
#include "bench_common.h"
#include "workloads/campaign/campaign.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/onnx_import.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

constexpr int kImages = 100;
// Experiments per run: enough that the fixed cost of a run (the fault-free batches) and
// the last experiments' uneven finish are a small part of it.
constexpr long long kExperiments = 1000, kNoShortcutExperiments = 100;
constexpr long long kGraphExperiments = 40;  // the ResNet-8 graph campaign, each fault mix

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
  c.seed = 1;
  const NetworkParameters params = init_parameters(lenet5(), c.seed);
  // The 100 images as one batch, as the PyTorch loop runs them: a campaign plans each
  // array job once per batch, and batches of 20 made five times the jobs.
  c.graphs[kImages] = std::make_shared<const Graph>(network_graph(lenet5(), params, kImages));
  c.images = test_images().images;
  c.labels = test_images().labels;
  CampaignConfig& cc = c.config;
  cc.experiments = experiments;
  cc.test_limit = kImages;
  cc.batch = kImages;
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

// The graph campaign of configs/experiments/campaign_resnet_fmnist.json (ResNet-8 on
// the small array, the same 100 images in batches of 20), faults of `kinds` at every
// site, one thread.
Campaign resnet_campaign(const std::vector<FaultKind>& kinds, long long experiments) {
  Campaign c;
  c.array = preset("small");
  c.graphs[20] = std::make_shared<const Graph>(load_onnx_model(config_dir() + "/models/resnet8_fmnist.onnx", 20));
  c.images = test_images().images;
  c.labels = test_images().labels;
  CampaignConfig& cc = c.config;
  cc.experiments = experiments;
  cc.test_limit = kImages;
  cc.batch = 20;
  cc.threads = 1;
  cc.sites = {FaultSite::weight, FaultSite::input, FaultSite::product, FaultSite::psum, FaultSite::accumulator};
  cc.kinds = kinds;
  cc.bit_lo = 0;
  cc.bit_hi = 31;
  return c;
}

void run_campaign_benchmark(benchmark::State& state, const Campaign& c, bool shortcut) {
  CampaignRunOptions options;
  options.shortcut = shortcut;
  long long masked = 0, sdc = 0, crash = 0;
  const CpuTimer cpu;
  for (auto _ : state) {
    const CampaignResults r = run_campaign(c, options);
    masked = sdc = crash = 0;
    for (const auto& e : r.experiments) {
      masked += e.outcome == Outcome::masked;
      sdc += e.outcome == Outcome::sdc;
      crash += e.outcome == Outcome::crash;
    }
  }
  const long long experiments = c.config.experiments;
  const double work = static_cast<double>(experiments) * kImages * static_cast<double>(state.iterations());
  cpu.stop(state);
  state.counters["exp_img/s"] = benchmark::Counter(work, benchmark::Counter::kIsRate);
  char label[128];
  std::snprintf(label, sizeof label, "%lld experiments x %d %s images: %lld masked, %lld SDC, %lld crash", experiments,
                kImages, test_images().source.c_str(), masked, sdc, crash);
  state.SetLabel(label);
}

void BM_campaign(benchmark::State& state, bool weight_only, int threads, bool shortcut, long long experiments) {
  run_campaign_benchmark(state, lenet_campaign(weight_only, threads, experiments), shortcut);
}

// The three fault mixes of the graph campaign's speed figures (docs/campaign.md).
const std::map<std::string, std::vector<FaultKind>>& graph_mixes() {
  static const std::map<std::string, std::vector<FaultKind>> mixes = {
      {"transients", {FaultKind::transient}},
      {"stuck_ats", {FaultKind::stuck_at_0, FaultKind::stuck_at_1}},
      {"all_kinds", {FaultKind::stuck_at_0, FaultKind::stuck_at_1, FaultKind::transient}}};
  return mixes;
}

std::string graph_name(const std::string& mix, bool shortcut) {
  return "graph_campaign/resnet8/" + mix + (shortcut ? "/shortcut/" : "/no_shortcut/") + threads_name(1);
}

const std::string kAll = "campaign/lenet5/all_sites";
const std::string kSetup = "campaign/lenet5/all_sites/setup_only";
const std::string kWeight = "campaign/lenet5/weight_stuck_at";
const std::string kFull = "campaign/lenet5/all_sites/no_shortcut";

void register_benchmarks() {
  auto campaign = [](const std::string& name, bool weight_only, bool shortcut, long long experiments) {
    for (int t : thread_counts())
      benchmark::RegisterBenchmark((name + "/" + threads_name(t)).c_str(), [=](benchmark::State& st) {
        BM_campaign(st, weight_only, t, shortcut, experiments);
      })->UseRealTime()->MinTime(2.0)->Unit(benchmark::kMillisecond);
  };
  campaign(kAll, false, true, kExperiments);
  campaign(kSetup, false, true, 1);
  campaign(kWeight, true, true, kExperiments);
  campaign(kFull, false, false, kNoShortcutExperiments);
  if (!std::filesystem::exists(config_dir() + "/models/resnet8_fmnist.onnx")) return;
  for (const auto& [mix, kinds] : graph_mixes())
    for (bool shortcut : {true, false})
      benchmark::RegisterBenchmark(graph_name(mix, shortcut).c_str(), [kinds = kinds, shortcut](benchmark::State& st) {
        run_campaign_benchmark(st, resnet_campaign(kinds, kGraphExperiments), shortcut);
      })->UseRealTime()->MinTime(1.0)->Unit(benchmark::kMillisecond);
}

// The graph campaign per CPU second of one thread: the incremental rerun against
// recomputing every node of every batch.
void print_graph_campaign(const SummaryReporter& rep) {
  bool header = false;
  for (const auto& [mix, kinds] : graph_mixes()) {
    const double fast = rep.cpu_rate(graph_name(mix, true), "exp_img/s"), full = rep.cpu_rate(graph_name(mix, false), "exp_img/s");
    if (fast <= 0 || full <= 0) continue;
    if (!header)
      std::printf("  graph campaign, ResNet-8 (resnet8_fmnist.onnx), %lld experiments, every site, one thread, per CPU second, "
                  "incremental rerun vs every node recomputed:\n", kGraphExperiments);
    header = true;
    std::printf("    %-10s %sexp-img/s vs %sexp-img/s (%.1fx)\n", mix.c_str(), si(fast).c_str(), si(full).c_str(), fast / full);
  }
}

void print_summary(const SummaryReporter& rep) {
  const std::string unit = "exp-img/s";
  const Rates all = rep.rates(kAll, "exp_img/s"), weight = rep.rates(kWeight, "exp_img/s"), full = rep.rates(kFull, "exp_img/s");
  std::printf("\nSummary (experiments x images per wall-clock second, LeNet-5, %d %s test images, small preset; %s):\n",
              kImages, test_images().source.c_str(), load_average().c_str());
  if (!all.empty()) std::printf("  campaign, every site and kind:      %s\n", rates_text(all, unit).c_str());
  if (!weight.empty()) std::printf("  campaign, weight-register stuck-ats: %s\n", rates_text(weight, unit).c_str());
  if (!full.empty() && fastest(all).rate > 0)
    std::printf("  without the shortcut (every layer recomputed): %s; the shortcut is %.1fx faster (fastest of each)\n",
                rates_text(full, unit).c_str(), fastest(all).rate / fastest(full).rate);
  print_scaling(rep, kAll, kSetup, kExperiments, 1.8);
  print_graph_campaign(rep);
  if (all.empty() && weight.empty()) return;  // nothing to compare with the PyTorch loop
  const TorchBaseline torch = run_torch_baseline("campaign_torch.py", "--images " + std::to_string(kImages));
  if (!print_torch_baseline(torch)) return;
  if (!weight.empty()) std::printf("  same fault model (weight-register stuck-ats):\n");
  print_comparison("accsim campaign", weight, "PyTorch loop", torch.rate, unit, rep.cpu_rates(kWeight, "exp_img/s"),
                   torch.cpu_rate);
  if (!all.empty()) std::printf("  every site and kind (accsim) against the PyTorch loop's weight stuck-ats:\n");
  const Ratio r = print_comparison("accsim campaign", all, "PyTorch loop", torch.rate, unit, rep.cpu_rates(kAll, "exp_img/s"),
                                   torch.cpu_rate);
  if (r.per_core > 0) print_target("every site and kind, per core", r.per_core, 10.0);
  std::printf("  (%s after the PyTorch runs)\n", load_average().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "campaign_bench", register_benchmarks, print_summary, [] { test_images(); });
}
