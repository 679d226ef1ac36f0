// Graph inference throughput: each shipped ONNX model (configs/models/) on the fast
// engine, batch 100, fault-free and with four permanent faults, at 1 thread and at the
// machine's thread count, next to PyTorch running the same ONNX file
// (bench/onnx_torch.py: the graph interpreted with torch operators) at 1 and at the same
// thread count in the same run; the ratio is taken against PyTorch's faster
// configuration, wall clock and per core. For profiling: ACCSIM_BENCH_NO_TORCH=1 skips
// PyTorch, ACCSIM_BENCH_ITERATIONS=N runs exactly N batches per case (no probe run), so
// (count at N=3 - count at N=1) / 2 is a steady-state batch under callgrind. The host
// operators split over the engine's threads too (run_graph takes the engine's thread count).
#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "arch/pe_faults.h"
#include "bench_common.h"
#include "workloads/run/engines.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_import.h"

namespace accsim::bench {
namespace {

constexpr int kBatch = 100;
const char* const kModels[] = {"resnet8_fmnist", "mobilenet_fmnist", "vit_fmnist"};

std::string model_file(const std::string& name) { return config_dir() + "/models/" + name + ".onnx"; }

struct Rates {
  double accsim[2] = {0, 0};  // [1 thread, machine threads], with faults
};
std::map<std::string, Rates> g_rates;

void BM_graph(benchmark::State& state, const std::string& name, bool faulty) {
  const Graph graph = load_onnx_model(model_file(name), kBatch);
  Rng rng(1);
  const Tensor images = random_tensor(graph.inputs.at(0).shape, rng);
  const PeFaults pe(preset("small"), faulty ? four_faults() : std::vector<HardwareFault>{});
  const int threads = static_cast<int>(state.range(0));
  FastEngine engine(preset("small"), pe, threads);
  for (auto _ : state) benchmark::DoNotOptimize(run_graph(graph, images, engine, false).outputs);
  const double rate = static_cast<double>(state.iterations()) * kBatch;
  state.counters["images/s"] = benchmark::Counter(rate, benchmark::Counter::kIsRate);
  state.counters["images/s/core"] = benchmark::Counter(rate / threads, benchmark::Counter::kIsRate);
}

class GraphReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      const std::string n = r.benchmark_name();
      const std::size_t at = n.find("/faulty/");
      // Repetitions: the fastest (aggregates such as the standard deviation carry the counter too).
      if (at == std::string::npos || r.run_type != Run::RT_Iteration || !r.counters.count("images/s")) continue;
      const int threads = std::atoi(n.c_str() + at + 8);  // "<model>/faulty/<threads>/real_time"
      double& rate = g_rates[n.substr(0, at)].accsim[threads == 1 ? 0 : 1];
      rate = std::max(rate, r.counters.at("images/s").value);
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
};

bool env_is(const char* name, const char* value) {
  const char* v = std::getenv(name);
  return v && std::string(v) == value;
}

void summary() {
  if (env_is("ACCSIM_BENCH_NO_TORCH", "1")) return;
  const int threads = machine_threads();
  std::printf("\nSummary (batch %d, wall-clock images/s; accsim with 4 permanent faults; PyTorch on the same ONNX file; %s):\n",
              kBatch, load_average().c_str());
  for (const char* m : kModels) {
    const Rates& r = g_rates[m];
    if (r.accsim[0] == 0 && r.accsim[1] == 0) continue;  // model not shipped or filtered out
    std::printf("  %s:\n", m);
    const TorchBaseline torch = run_torch_baseline("onnx_torch.py", model_file(m) + " --batch " + std::to_string(kBatch));
    if (torch.rate.empty()) {
      std::printf("    PyTorch unavailable (needs /usr/bin/python3 with python3-torch and python3-onnx): %s\n", torch.why.c_str());
      continue;
    }
    bench::Rates accsim{{1, r.accsim[0]}};
    if (threads > 1) accsim[threads] = r.accsim[1];
    print_comparison("accsim, 4 faults", accsim, "PyTorch", torch.rate, "images/s");
  }
}

void register_all() {
  const char* iterations = std::getenv("ACCSIM_BENCH_ITERATIONS");
  for (const char* m : kModels) {
    std::ifstream probe(model_file(m));
    if (!probe) continue;
    for (bool faulty : {false, true}) {
      auto* b = benchmark::RegisterBenchmark((std::string(m) + (faulty ? "/faulty" : "/fault_free")).c_str(), BM_graph,
                                             std::string(m), faulty)
                    ->Arg(1)->Arg(machine_threads())->Unit(benchmark::kMillisecond)->UseRealTime();
      if (iterations)  // a count or a time, never both (Google Benchmark refuses)
        b->Iterations(std::max(1, std::atoi(iterations)));
      else
        b->MinTime(2.0);
    }
  }
}

}  // namespace
}  // namespace accsim::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  accsim::bench::register_all();
  accsim::bench::GraphReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  accsim::bench::summary();
  benchmark::Shutdown();
  return 0;
}
