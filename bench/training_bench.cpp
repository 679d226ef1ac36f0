// Training throughput: training steps (batch 64, every Conv/Gemm pass on the simulated
// small array through the fast engine), fault-free and with one permanent fault, at 1
// thread and at the thread count accsim uses:
//   LeNet-5 with the graph trainer (`accsim train`'s one loop: the network as its graph,
//   workloads/models/network_graph.h);
//   ResNet-8 (configs/models/resnet8_fmnist.onnx) with the graph trainer.
// Next to PyTorch (Debian's python3-torch) timed at the same thread counts in one process
// after the benchmarks: bench/pytorch_lenet_train.py for LeNet-5, bench/onnx_torch_train.py
// training the same ONNX file for ResNet-8; each ratio is taken against PyTorch's faster
// configuration, wall clock, per core and per CPU second. Reports images per wall-clock
// second, the projected time of one 60k-image epoch, and the ratios.
//
// Benchmarks: train_step/<lenet5|resnet8>/<fault-free|1_fault>/<T>_threads; with --benchmark_repetitions=N the summary takes each
// benchmark's fastest repetition. conv1_backward_weight/<T>_threads: that step's conv1
// backward-weight job alone (1 fault). lane_no_spin/lenet5/1_fault/2_threads: the task lane's
// threads sleep at once instead of spinning first (kernels/task_lane.h), to measure the spin.
#include "bench_common.h"
#include "arch/pass_lowering.h"
#include "kernels/sgd.h"
#include "kernels/task_lane.h"
#include "workloads/models/network_graph.h"
#include "workloads/run/engines.h"
#include "workloads/training/graph_trainer.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

constexpr int kBatch = 64;

std::string step_name(const std::string& trainer, const std::string& model, bool faulty) {
  return trainer + "/" + model + "/" + (faulty ? "1_fault" : "fault-free");
}

std::string resnet8_file() { return config_dir() + "/models/resnet8_fmnist.onnx"; }

PeFaults bench_faults(const ArrayConfig& array, bool faulty) {
  HardwareFault f;  // the experiments' fault: bit 28 of PE(0,0)'s weight register stuck at 0
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  return faulty ? PeFaults(array, {f}) : PeFaults();
}

OptimizerConfig sgd_config() {
  OptimizerConfig config;  // SGD, lr 0.01, momentum 0.9
  config.weight_decay = 5e-4;
  return config;
}

struct Batch {
  Tensor images{{kBatch, 1, 28, 28}};
  std::vector<int> labels = std::vector<int>(kBatch);
  Batch() {
    Rng rng(7);
    for (auto& v : images.values()) v = rng.uniform01();
    for (auto& l : labels) l = static_cast<int>(rng.below(10));
  }
};

void count_images(benchmark::State& state) {
  state.counters["images/s"] =
      benchmark::Counter(kBatch * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

// The graph trainer on LeNet-5 (as `accsim train` builds it) or on an ONNX file.
GraphTrainer graph_trainer(const std::string& model) {
  if (model != "lenet5") return GraphTrainer(resnet8_file(), ActivationClip{});
  const Network net = lenet5();
  return GraphTrainer([net, params = init_parameters(net, 123)](int batch) { return network_graph(net, params, batch); });
}

void BM_graph_step(benchmark::State& state, const std::string& model, bool faulty, int threads,
                   std::chrono::nanoseconds spin = TaskLane::default_spin) {
  TaskLane::set_spin(spin);
  const ArrayConfig& array = preset("small");
  const PeFaults faults = bench_faults(array, faulty);
  FastEngine engine(array, faults, threads);
  GraphTrainer trainer = graph_trainer(model);
  Sgd sgd(sgd_config(), trainer.parameter_specs());
  const Batch batch;
  long long cycle = 0;
  const CpuTimer cpu;
  for (auto _ : state) {
    const StepResult r = trainer.train_step(batch.images, batch.labels, engine, sgd, cycle);
    benchmark::DoNotOptimize(r.loss.loss);
  }
  cpu.stop(state);
  count_images(state);
  TaskLane::set_spin(TaskLane::default_spin);
}

// LeNet-5 conv1's backward-weight job at batch 64 alone (25 output positions, 6 columns,
// 4,608 steps; the job the two-thread step splits by positions), beside a task lane
// at two threads as in a step.
void BM_conv1_backward_weight(benchmark::State& state, int threads) {
  const ArrayConfig& array = preset("small");
  const PeFaults faults = bench_faults(array, true);  // the engine keeps a reference
  FastEngine engine(array, faults, threads);
  ConvJob layer;
  layer.layer = "conv1";
  layer.shape = {kBatch, 1, 28, 28, 6, 5, 5, 1, 0};
  Rng rng(11);
  Tensor x({kBatch, 1, 28, 28}), grad_y({kBatch, 6, 24, 24});
  for (auto* t : {&x, &grad_y})
    for (auto& v : t->values()) v = rng.uniform01() - 0.5f;
  const LoweredJob bw = lower_backward_weight(layer, x, grad_y);
  const CpuTimer cpu;
  for (auto _ : state) {
    TaskLane lane(threads == 2);
    benchmark::DoNotOptimize(engine.run_on(bw.job, bw.streamed, bw.stationary, 0, threads).output.data());
  }
  cpu.stop(state);
}

void add(const std::string& name, std::function<void(benchmark::State&)> fn) {
  benchmark::RegisterBenchmark(name.c_str(), std::move(fn))->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
}

void register_benchmarks() {
  for (const std::string model : {"lenet5", "resnet8"})
    for (bool faulty : {false, true})
      for (int t : thread_counts())
        add(step_name("train_step", model, faulty) + "/" + threads_name(t),
            [=](benchmark::State& st) { BM_graph_step(st, model, faulty, t); });
  for (int t : thread_counts())
    add("conv1_backward_weight/" + threads_name(t), [=](benchmark::State& st) { BM_conv1_backward_weight(st, t); });
  add(step_name("lane_no_spin", "lenet5", true) + "/" + threads_name(2),
      [](benchmark::State& st) { BM_graph_step(st, "lenet5", true, 2, std::chrono::nanoseconds(0)); });
}

std::string epoch(const Rates& rates) {
  const Pick p = fastest(rates);
  char buf[64];
  std::snprintf(buf, sizeof buf, "60k-image epoch %.1f s", p.rate > 0 ? 60000.0 / p.rate : 0.0);
  return buf;
}

void print_rates(const SummaryReporter& rep, const std::string& label, const std::string& prefix) {
  const Rates rates = rep.rates(prefix, "images/s");
  if (rates.empty()) return;
  const double cpu = rep.cpu_rate(prefix + "/" + threads_name(1), "images/s");
  std::printf("  %-44s %s; %s; 1 thread %simages per CPU second\n", (label + ":").c_str(),
              rates_text(rates, "images/s").c_str(), epoch(rates).c_str(), si(cpu).c_str());
}

// accsim's step with one fault against PyTorch's at its best; the issue-14 target for LeNet-5.
void compare_with_torch(const SummaryReporter& rep, const std::string& prefix, const std::string& script,
                        const std::string& args, bool target) {
  const Rates faulty = rep.rates(prefix, "images/s");
  if (faulty.empty()) return;
  const TorchBaseline torch = run_torch_baseline(script, args);
  if (!print_torch_baseline(torch)) return;
  const Ratio r = print_comparison("accsim, one permanent fault", faulty, "PyTorch (python3-torch, CPU)", torch.rate,
                                   "images/s", rep.cpu_rates(prefix, "images/s"), torch.cpu_rate);
  if (target) print_target("accsim with one permanent fault / PyTorch, wall clock", r.wall, 1.5);
  std::printf("  (%s after the PyTorch runs)\n", load_average().c_str());
}

void print_summary(const SummaryReporter& rep) {
  std::printf("\nSummary (training steps, batch %d, small array, fast engine, images per wall-clock second; %s):\n",
              kBatch, load_average().c_str());
  const struct {
    const char* label;
    std::string prefix;
  } rows[] = {
      {"LeNet-5, graph trainer, fault-free", step_name("train_step", "lenet5", false)},
      {"LeNet-5, graph trainer, one permanent fault", step_name("train_step", "lenet5", true)},
      {"ResNet-8, graph trainer, fault-free", step_name("train_step", "resnet8", false)},
      {"ResNet-8, graph trainer, one permanent fault", step_name("train_step", "resnet8", true)},
  };
  for (const auto& row : rows) print_rates(rep, row.label, row.prefix);
  std::printf("  LeNet-5 (graph trainer) against PyTorch:\n");
  compare_with_torch(rep, step_name("train_step", "lenet5", true), "pytorch_lenet_train.py", "", true);
  std::printf("  ResNet-8 (graph trainer) against PyTorch training the same ONNX file:\n");
  compare_with_torch(rep, step_name("train_step", "resnet8", true), "onnx_torch_train.py",
                     resnet8_file() + " --batch " + std::to_string(kBatch), false);
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "training_bench", register_benchmarks, print_summary);
}
