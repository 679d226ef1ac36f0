// Training throughput: LeNet-5 training steps (batch 64, every conv/linear pass on the
// simulated small array through the fast engine), fault-free and with one permanent
// fault, at 1 thread and at the thread count accsim uses, next to a PyTorch reference
// (bench/pytorch_lenet_train.py, Debian's python3-torch) timed at the same thread counts
// in one process after the benchmarks; the ratio is taken against PyTorch's faster
// configuration, wall clock and per core. Reports images per wall-clock second, the
// projected time of one 60k-image epoch, and the ratios.
//
// Benchmarks: train_step/lenet5/<fault-free|1_fault>/<T>_threads. With
// --benchmark_repetitions=N the summary takes each benchmark's fastest repetition.
#include "bench_common.h"
#include "kernels/sgd.h"
#include "workloads/run/engines.h"
#include "workloads/training/trainer.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

constexpr int kBatch = 64;

std::string step_name(bool faulty) { return std::string("train_step/lenet5/") + (faulty ? "1_fault" : "fault-free"); }

void BM_train_step(benchmark::State& state, bool faulty, int threads) {
  const ArrayConfig& array = preset("small");
  HardwareFault f;  // the experiments' fault: bit 28 of PE(0,0)'s weight register stuck at 0
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  const PeFaults faults = faulty ? PeFaults(array, {f}) : PeFaults();
  FastEngine engine(array, faults, threads);
  const Network net = lenet5();
  NetworkParameters params = init_parameters(net, 123);
  Trainer trainer(net, params, engine);
  OptimizerConfig config;  // SGD, lr 0.01, momentum 0.9
  config.weight_decay = 5e-4;
  Sgd sgd(config, Trainer::parameter_specs(net, params));
  Rng rng(7);
  Tensor images({kBatch, 1, 28, 28});
  for (auto& v : images.values()) v = rng.uniform01();
  std::vector<int> labels(kBatch);
  for (auto& l : labels) l = static_cast<int>(rng.below(10));
  long long cycle = 0;
  const CpuTimer cpu;
  for (auto _ : state) {
    const StepResult r = trainer.train_step(images, labels, sgd, cycle);
    benchmark::DoNotOptimize(r.loss.loss);
  }
  cpu.stop(state);
  state.counters["images/s"] =
      benchmark::Counter(kBatch * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void register_benchmarks() {
  for (bool faulty : {false, true})
    for (int t : thread_counts())
      benchmark::RegisterBenchmark((step_name(faulty) + "/" + threads_name(t)).c_str(),
                                   [=](benchmark::State& st) { BM_train_step(st, faulty, t); })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime()
          ->MinTime(2.0);
}

std::string epoch(const Rates& rates) {
  const Pick p = fastest(rates);
  char buf[64];
  std::snprintf(buf, sizeof buf, "60k-image epoch %.1f s", p.rate > 0 ? 60000.0 / p.rate : 0.0);
  return buf;
}

void print_summary(const SummaryReporter& rep) {
  const Rates clean = rep.rates(step_name(false), "images/s"), faulty = rep.rates(step_name(true), "images/s");
  std::printf("\nSummary (LeNet-5 training steps, batch %d, images per wall-clock second; %s):\n", kBatch,
              load_average().c_str());
  std::printf("  accsim fast engine, small array, fault-free: %s; %s\n", rates_text(clean, "images/s").c_str(),
              epoch(clean).c_str());
  std::printf("  accsim, one permanent weight stuck-at:       %s; %s\n", rates_text(faulty, "images/s").c_str(),
              epoch(faulty).c_str());
  const double clean_cpu = rep.cpu_rate(step_name(false) + "/" + threads_name(1), "images/s");
  const double faulty_cpu = rep.cpu_rate(step_name(true) + "/" + threads_name(1), "images/s");
  if (clean_cpu > 0 && faulty_cpu > 0)
    std::printf("  one thread, per CPU second: fault-free %simages/s, one fault %simages/s: the fault costs %+.0f%% time\n",
                si(clean_cpu).c_str(), si(faulty_cpu).c_str(), 100.0 * (clean_cpu / faulty_cpu - 1.0));
  if (faulty.empty()) return;  // nothing to compare with PyTorch
  const TorchBaseline torch = run_torch_baseline("pytorch_lenet_train.py", "");
  if (!print_torch_baseline(torch)) return;
  const Ratio r = print_comparison("accsim, one permanent fault", faulty, "PyTorch (python3-torch, CPU)", torch.rate,
                                   "images/s", rep.cpu_rates(step_name(true), "images/s"), torch.cpu_rate);
  print_target("accsim with one permanent fault / PyTorch, wall clock", r.wall, 1.5);
  std::printf("  (%s after the PyTorch runs)\n", load_average().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "training_bench", register_benchmarks, print_summary);
}
