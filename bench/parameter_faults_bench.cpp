// Parameter fault injection speed on a 10M-parameter model (8 embedding tables of 1M
// entries and two 1M-weight MLP layers, named like the DLRM model's tensors):
//  - BER injection + undo over the whole model at p = 1e-6, 1e-4, 1e-3 (geometric skips:
//    the cost follows the ~p x 3.2e8 flips, not the 3.2e8 bits), next to a naive loop that
//    draws one Bernoulli per bit (what the skips avoid), timed once;
//  - SBF injection + undo throughput (one PVF-campaign experiment's injection), on the
//    whole model and on one small tensor; MBF 128 and MBBF 64 for scale.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "arch/random.h"
#include "arch/sampling.h"
#include "faultmodels/parameter_injection.h"

namespace accsim {
namespace {

struct BigModel {
  std::vector<std::vector<float>> tensors;
  ParameterSet set;
  BigModel() {
    Rng rng(1);
    const auto add = [&](const std::string& name, std::size_t n) {
      tensors.emplace_back(n);
      for (auto& v : tensors.back()) v = rng.uniform(-0.05f, 0.05f);
      set.add(name, tensors.back().data(), n);
    };
    tensors.reserve(10);
    for (int t = 0; t < 8; ++t) add("embedding." + std::to_string(t) + ".weight", 1000000);
    add("mlp.bottom.0.weight", 1000000);
    add("mlp.top.0.weight", 1000000);
  }
};

BigModel& model() {
  static BigModel m;
  return m;
}

ParameterFaultModel make(ParameterFaultKind kind, double rate = 0.0, std::uint64_t count = 1) {
  ParameterFaultModel m;
  m.kind = kind;
  m.rate = rate;
  m.count = count;
  return m;
}

std::map<std::string, double> g_seconds, g_flips;

void run_injections(benchmark::State& state, const std::string& selector, const ParameterFaultModel& m,
                    const std::string& key) {
  BigModel& bm = model();
  ParameterTarget target;
  target.tensors = {selector};
  const ResolvedTarget t = resolve(target, bm.set);
  std::uint64_t seed = 0, flips = 0;
  for (auto _ : state) {
    const Injection inj = inject(bm.set, t, m, seed++);
    flips += inj.bit_flips();
    inj.undo(bm.set);
    benchmark::DoNotOptimize(inj.flips.data());
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["flips/injection"] = static_cast<double>(flips) / n;
  state.counters["injections/s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.SetLabel(std::to_string(t.elements()) + " parameters");
  g_flips[key] = static_cast<double>(flips) / n;
}

void BM_ber_whole_model(benchmark::State& state) {
  const double p = state.range(0) == 6 ? 1e-6 : state.range(0) == 4 ? 1e-4 : 1e-3;
  run_injections(state, "all", make(ParameterFaultKind::ber, p), "ber" + std::to_string(state.range(0)));
}
BENCHMARK(BM_ber_whole_model)->Arg(6)->Arg(4)->Arg(3)->Unit(benchmark::kMicrosecond)->MinTime(0.5);

void BM_naive_bernoulli_per_bit_whole_model(benchmark::State& state) {
  // The loop geometric skipping replaces: one uniform draw per bit at p = 1e-6.
  BigModel& bm = model();
  Rng rng(5);
  std::uint64_t flips = 0;
  for (auto _ : state) {
    for (const auto& t : bm.set.tensors())
      for (std::size_t e = 0; e < t.size; ++e)
        for (int b = 0; b < 32; ++b) flips += uniform_double01(rng) < 1e-6;
  }
  benchmark::DoNotOptimize(flips);
  state.counters["flips/injection"] = static_cast<double>(flips) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_naive_bernoulli_per_bit_whole_model)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_sbf_whole_model(benchmark::State& state) {
  run_injections(state, "all", make(ParameterFaultKind::sbf), "sbf");
}
BENCHMARK(BM_sbf_whole_model)->Unit(benchmark::kNanosecond)->MinTime(0.5);

void BM_sbf_one_layer(benchmark::State& state) {
  run_injections(state, "mlp.top", make(ParameterFaultKind::sbf), "sbf_layer");
}
BENCHMARK(BM_sbf_one_layer)->Unit(benchmark::kNanosecond)->MinTime(0.5);

void BM_mbf128_whole_model(benchmark::State& state) {
  run_injections(state, "all", make(ParameterFaultKind::mbf, 0.0, 128), "mbf128");
}
BENCHMARK(BM_mbf128_whole_model)->Unit(benchmark::kMicrosecond)->MinTime(0.5);

void BM_mbbf64_whole_model(benchmark::State& state) {
  run_injections(state, "all", make(ParameterFaultKind::mbbf, 0.0, 64), "mbbf64");
}
BENCHMARK(BM_mbbf64_whole_model)->Unit(benchmark::kMicrosecond)->MinTime(0.5);

class Reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      if (r.run_type == Run::RT_Iteration && !r.error_occurred)  // CPU time: the machine may be shared
        g_seconds[r.benchmark_name()] = r.GetAdjustedCPUTime() / benchmark::GetTimeUnitMultiplier(r.time_unit);
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
};

double seconds(const std::string& name) {
  for (const auto& [k, v] : g_seconds)
    if (k.rfind(name, 0) == 0) return v;
  return 0.0;
}

}  // namespace
}  // namespace accsim

int main(int argc, char** argv) {
  using namespace accsim;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\nSummary (10M-parameter model, 3.2e8 bits; one injection + undo, CPU time, one thread):\n");
  for (const auto& [arg, label] : std::vector<std::pair<int, const char*>>{{6, "1e-6"}, {4, "1e-4"}, {3, "1e-3"}}) {
    const double t = seconds("BM_ber_whole_model/" + std::to_string(arg));
    const double flips = g_flips["ber" + std::to_string(arg)];
    std::printf("  BER %s: %9.3f ms per injection, %6.0f flips, %.0f ns per flip%s\n", label, 1e3 * t, flips,
                flips > 0 ? 1e9 * t / flips : 0.0, arg == 6 ? " (target: well under 1 s)" : "");
  }
  const double naive = seconds("BM_naive_bernoulli_per_bit_whole_model");
  if (naive > 0)
    std::printf("  naive one-draw-per-bit loop at 1e-6: %.2f s (%.0fx the geometric-skip injection)\n", naive,
                naive / seconds("BM_ber_whole_model/6"));
  if (seconds("BM_sbf_whole_model") > 0 && seconds("BM_sbf_one_layer") > 0)
    std::printf("  SBF: %.2f M injections/s on the whole model, %.2f M/s on one 1M-weight layer\n",
                1e-6 / seconds("BM_sbf_whole_model"), 1e-6 / seconds("BM_sbf_one_layer"));
  std::printf("  MBF 128: %.1f us, MBBF 64 (x2 bits): %.1f us per injection\n", 1e6 * seconds("BM_mbf128_whole_model"),
              1e6 * seconds("BM_mbbf64_whole_model"));
  benchmark::Shutdown();
  return 0;
}
