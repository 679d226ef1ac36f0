// Training throughput: LeNet-5 training steps (batch 64, every conv/linear pass on the
// simulated small array through the fast engine), fault-free and with one permanent
// fault, next to a PyTorch reference (bench/pytorch_lenet_train.py, Debian's
// python3-torch, 2 threads) measured in the same run; accsim uses every core too. Reports images per second,
// the projected time of one 60k-image epoch, and the ratios.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "arch/config_reader.h"
#include "arch/random.h"
#include "workloads/run/engines.h"
#include "workloads/training/trainer.h"

namespace accsim {
namespace {

std::string source_dir() {
  std::string file = __FILE__;  // <source>/bench/training_bench.cpp
  return file.substr(0, file.rfind("/bench/"));
}

ArrayConfig small_array() {
  const std::string file = source_dir() + "/configs/small.json";
  const nlohmann::json j = ConfigReader::load_file(file);
  return parse_array_config(ConfigReader(j.at("array"), file, "array"));
}

double g_rate[2] = {0.0, 0.0};

void BM_lenet_train_step(benchmark::State& state) {
  const bool faulty = state.range(0) != 0;
  const ArrayConfig array = small_array();
  HardwareFault f;  // the experiments' fault: bit 28 of PE(0,0)'s weight register stuck at 0
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  const PeFaults faults = faulty ? PeFaults(array, {f}) : PeFaults();
  FastEngine engine(array, faults, static_cast<int>(std::thread::hardware_concurrency()));
  const Network net = lenet5();
  NetworkParameters params = init_parameters(net, 123);
  Trainer trainer(net, params, engine);
  Sgd sgd({0.01f, 0.9f, 5e-4f}, Trainer::parameter_shapes(params));
  Rng rng(7);
  Tensor images({64, 1, 28, 28});
  for (auto& v : images.values()) v = rng.uniform01();
  std::vector<int> labels(64);
  for (auto& l : labels) l = static_cast<int>(rng.below(10));
  long long cycle = 0;
  for (auto _ : state) {
    const StepResult r = trainer.train_step(images, labels, sgd, cycle);
    benchmark::DoNotOptimize(r.loss.loss);
  }
  state.counters["images/s"] = benchmark::Counter(64.0 * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}
BENCHMARK(BM_lenet_train_step)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->MinTime(3.0)->UseRealTime();

class RateReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      if (r.counters.count("images/s")) g_rate[r.benchmark_name().find("/1") != std::string::npos] = r.counters.at("images/s");
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
};

double pytorch_rate() {
  const std::string cmd = "/usr/bin/python3 " + source_dir() + "/bench/pytorch_lenet_train.py 3 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return 0.0;
  double rate = 0.0;
  if (std::fscanf(p, "images_per_second %lf", &rate) != 1) rate = 0.0;
  ::pclose(p);
  return rate;
}

}  // namespace
}  // namespace accsim

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  accsim::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double clean = accsim::g_rate[0], faulty = accsim::g_rate[1];
  const double torch = accsim::pytorch_rate();
  std::printf("\nSummary (LeNet-5 training, batch 64, wall-clock images per second):\n");
  std::printf("  accsim fast engine, small array, fault-free:       %8.0f images/s (60k-image epoch %.1f s)\n", clean,
              clean > 0 ? 60000.0 / clean : 0.0);
  std::printf("  accsim fast engine, one permanent weight stuck-at: %8.0f images/s (60k-image epoch %.1f s, %.2fx the "
              "fault-free epoch; target <= 1.3x)\n",
              faulty, faulty > 0 ? 60000.0 / faulty : 0.0, faulty > 0 ? clean / faulty : 0.0);
  if (torch > 0)
    std::printf("  PyTorch (python3-torch, 2 threads, CPU):           %8.0f images/s; accsim with the fault / PyTorch = "
                "%.2fx (target > 1)\n",
                torch, faulty / torch);
  else
    std::printf("  PyTorch reference unavailable (needs /usr/bin/python3 with python3-torch)\n");
  benchmark::Shutdown();
  return 0;
}
