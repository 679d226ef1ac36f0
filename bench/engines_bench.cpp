// Speed of the fast engine (fault mapper + array-faithful kernel + closed-form cycles)
// next to the cycle-level model (the SystemC convolution core) and Eigen's GEMM of the
// same MAC count (the im2col form of each convolution: [K x C*R*S] * [C*R*S x P*Q]), all
// timed in the same process, in simulated useful MACs per wall-clock second. The fast
// engine and Eigen run at 1 thread and at the thread count accsim uses
// (bench_common.h thread_counts()); the comparison takes Eigen's faster configuration,
// wall clock and per core. The cycle model runs on one thread.
//
// Benchmarks:
//   eigen_gemm/<workload>/<T>_threads                the baseline
//   fast/<preset>/<workload>/<faults>/<T>_threads    FastEngine::run on one job per iteration
//   cycle/<preset>/<workload>/<faults>               CycleEngine::run on one job per iteration
//   fast/<preset>_<datatype>/<workload>/<faults>/1_thread   the fast engine on the fp16,
//                                                    bf16 and int8 datapaths (operand
//                                                    conversion included)
// Counters: "MAC/s" (useful MACs per wall-clock second), "cycles/s" (simulated cycles per
// second), "cpu_s/iter" (CPU seconds of every thread per job). The summary compares the
// configurations at 1 and N threads on the wall clock; the one-thread figures (the
// targets, the cost of faults, the cycle model) per CPU second, which other work on the
// machine disturbs less. With --benchmark_repetitions=N the summary takes each benchmark's fastest
// repetition (--benchmark_enable_random_interleaving=true spreads a change in the
// machine's load over all of them). Before timing a case, the fast engine's result is
// checked against the cycle model's (bit-identical output, equal timing): a benchmark of
// a wrong engine is reported as an error, not as a speed. The summary ends with the
// targets of issue 14 (fast engine and Eigen both on one thread) and names the 4 faults'
// worst cost; fault_cost_bench measures that cost against its target, alternating the
// fault-free and faulty jobs (two cases timed a second apart differ by more on a VM).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arch/pe_faults.h"
#include "bench_common.h"
#include "workloads/run/engines.h"

namespace {

using namespace accsim;
using namespace accsim::bench;

const char* const kEngines[] = {"fast", "cycle"};

const char* const kFormats[] = {"fp16", "bf16", "int8"};

// "cycle/small/lenet_conv2/4_faults"; the fast engine's names end in "/<T>_threads".
std::string case_name(const std::string& engine, const std::string& p, const Workload& w, bool faulty) {
  return engine + "/" + p + "/" + w.name + (faulty ? "/4_faults" : "/fault-free");
}

std::string fast_name(const std::string& p, const Workload& w, bool faulty, int threads) {
  return case_name("fast", p, w, faulty) + "/" + threads_name(threads);
}

// The cycle model's result on a case (run once: it takes up to seconds).
const JobResult& cycle_result(const std::string& preset_name, const Workload& w, bool faulty) {
  static std::map<std::string, JobResult> cache;
  const std::string key = case_name("cycle", preset_name, w, faulty);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const ArrayConfig array = array_for(preset_name);
  const PeFaults pe_faults(array, faulty ? four_faults(array.datatype) : std::vector<HardwareFault>{});
  const JobCase c(w);
  return cache.emplace(key, make_engine("cycle", array, pe_faults)->run(c.job, c.input, c.weights, 0)).first->second;
}

// "" when the fast engine's result on `threads` threads equals the cycle model's (output
// bit for bit, timing field for field) on this case, else what differs. Checked once
// per case: Google Benchmark calls a benchmark function several times while sizing its run.
const std::string& fast_agrees_with_cycle(const std::string& preset_name, const Workload& w, bool faulty, int threads) {
  static std::map<std::string, std::string> cache;
  const std::string key = fast_name(preset_name, w, faulty, threads);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const ArrayConfig array = array_for(preset_name);
  const PeFaults pe_faults(array, faulty ? four_faults(array.datatype) : std::vector<HardwareFault>{});
  const JobCase c(w);
  const JobResult fast = make_engine("fast", array, pe_faults, threads)->run(c.job, c.input, c.weights, 0);
  const JobResult& cycle = cycle_result(preset_name, w, faulty);
  std::string error;
  if (fast.output.shape() != cycle.output.shape()) {
    error = "fast engine output shape " + fast.output.shape_string() + " != cycle model's " +
            cycle.output.shape_string();
  } else {
    std::size_t differ = 0;
    for (std::size_t i = 0; i < fast.output.size(); ++i)
      differ += float_bits(fast.output[i]) != float_bits(cycle.output[i]);
    if (differ) error = "fast engine output differs from the cycle model's in " + std::to_string(differ) + " of " +
                        std::to_string(fast.output.size()) + " values";
  }
  if (error.empty() && !(fast.timing == cycle.timing))
    error = "fast engine timing (" + std::to_string(fast.timing.cycles) + " cycles) != cycle model's (" +
            std::to_string(cycle.timing.cycles) + " cycles)";
  return cache.emplace(key, error).first->second;
}

void BM_engine(benchmark::State& state, const std::string& engine_name, const std::string& preset_name,
               const Workload& w, bool faulty, int threads) {
  if (engine_name == "fast") {
    const std::string& error = fast_agrees_with_cycle(preset_name, w, faulty, threads);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  const ArrayConfig array = array_for(preset_name);
  // outlives the engine
  const PeFaults pe_faults(array, faulty ? four_faults(array.datatype) : std::vector<HardwareFault>{});
  const std::unique_ptr<Engine> engine = make_engine(engine_name, array, pe_faults, threads);
  const JobCase c(w);

  long long macs = 0, cycles = 0;
  const CpuTimer cpu;
  for (auto _ : state) {
    JobResult r = engine->run(c.job, c.input, c.weights, /*start_cycle=*/0);
    benchmark::DoNotOptimize(r.output.data());
    macs = r.timing.macs;
    cycles = r.timing.cycles;
  }
  cpu.stop(state);
  if (macs != w.shape.macs()) {
    state.SkipWithError("engine reported a MAC count different from the shape's");
    return;
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(macs) * iters, benchmark::Counter::kIsRate);
  state.counters["cycles/s"] = benchmark::Counter(static_cast<double>(cycles) * iters, benchmark::Counter::kIsRate);
  state.SetLabel(std::to_string(cycles) + " cycles/job");
}

// ---------------------------------------------------------------- registration

void register_engine(const std::string& name, const std::string& engine, const std::string& preset_name,
                     const Workload& w, bool faulty, int threads, double min_time) {
  benchmark::RegisterBenchmark(name.c_str(), [=, &w](benchmark::State& st) {
    BM_engine(st, engine, preset_name, w, faulty, threads);
  })->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(min_time);
}

void register_benchmarks() {
  register_eigen_benchmarks();
  // Per case, the fast runs at each thread count and the cycle run back to back.
  for (const char* p : kPresets)
    for (const auto& w : workloads())
      for (bool faulty : {false, true}) {
        for (int t : thread_counts()) register_engine(fast_name(p, w, faulty, t), "fast", p, w, faulty, t, 1.0);
        register_engine(case_name("cycle", p, w, faulty), "cycle", p, w, faulty, 1, 0.5);
      }
  // The other datapaths, fast engine on one thread (each case still checked against the cycle model).
  for (const char* p : kPresets)
    for (const char* format : kFormats)
      for (const auto& w : workloads())
        for (bool faulty : {false, true}) {
          const std::string preset_name = std::string(p) + "_" + format;
          register_engine(fast_name(preset_name, w, faulty, 1), "fast", preset_name, w, faulty, 1, 0.5);
        }
}

// ---------------------------------------------------------------- summary

// The extra time per job, in percent, of a MAC rate `faulty` against `clean`.
double extra_time_percent(double clean, double faulty) { return (clean / faulty - 1.0) * 100.0; }

// "+4% time"
std::string extra_time(double clean, double faulty) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.0f%% time", extra_time_percent(clean, faulty));
  return buf;
}

Rates fast_rates(const SummaryReporter& rep, const std::string& p, const Workload& w, bool faulty) {
  return rep.rates(case_name("fast", p, w, faulty), "MAC/s");
}

// MACs per CPU second of the fast engine on one thread.
double fast_cpu_rate(const SummaryReporter& rep, const std::string& p, const Workload& w, bool faulty) {
  return rep.cpu_rate(fast_name(p, w, faulty, 1), "MAC/s");
}

// One preset and workload: the fast engine against Eigen, its fault cost, the cycle model.
void print_case(const SummaryReporter& rep, const char* p, const Workload& w) {
  const GemmShape g = im2col_gemm(w.shape);
  std::printf("  %s %s, %lld MACs per job (Eigen GEMM [%ldx%ld]*[%ldx%ld]):\n", p, w.name,
              static_cast<long long>(w.shape.macs()), static_cast<long>(g.m), static_cast<long>(g.k),
              static_cast<long>(g.k), static_cast<long>(g.n));
  const std::string eigen = "eigen_gemm/" + std::string(w.name), fast = case_name("fast", p, w, false);
  print_comparison("fast engine, fault-free", fast_rates(rep, p, w, false), "Eigen GEMM", rep.rates(eigen, "MAC/s"),
                   "MAC/s", rep.cpu_rates(fast, "MAC/s"), rep.cpu_rates(eigen, "MAC/s"));
  const double clean = fast_cpu_rate(rep, p, w, false), faulty = fast_cpu_rate(rep, p, w, true);
  const double eigen1 = rep.cpu_rate(eigen_name(w, 1), "MAC/s");
  const double cycle_clean = rep.cpu_rate(case_name("cycle", p, w, false), "MAC/s");
  const double cycle_faulty = rep.cpu_rate(case_name("cycle", p, w, true), "MAC/s");
  if (clean > 0 && eigen1 > 0)
    std::printf("    one thread, per CPU second: fast engine %sMAC/s = %.1f%% of Eigen GEMM's %sMAC/s\n", si(clean).c_str(),
                100.0 * clean / eigen1, si(eigen1).c_str());
  if (clean > 0 && faulty > 0)
    std::printf("    fast engine with 4 faults: %s; one thread, per CPU second: %sMAC/s (%s)\n",
                rates_text(fast_rates(rep, p, w, true), "MAC/s").c_str(), si(faulty).c_str(),
                extra_time(clean, faulty).c_str());
  if (cycle_clean > 0) {
    std::printf("    cycle model (one thread, per CPU second): fault-free %sMAC/s", si(cycle_clean).c_str());
    if (cycle_faulty > 0) std::printf(", 4 faults %sMAC/s (%s)", si(cycle_faulty).c_str(), extra_time(cycle_clean, cycle_faulty).c_str());
    if (clean > 0) std::printf("; the fast engine on one thread = %.0fx the cycle model", clean / cycle_clean);
    std::printf("\n");
  }
}

// The worst fault cost over the cases printed: extra time in percent and the case.
struct WorstCost {
  double percent = -1e9;  // none ran
  std::string name;
};

// The fault cost of every preset, datapath and workload, one thread, per CPU second.
WorstCost print_datatypes(const SummaryReporter& rep) {
  WorstCost worst;
  for (const auto& w : workloads())
    for (const char* p : kPresets)
      for (const char* format : {"fp32", "fp16", "bf16", "int8"}) {
        const std::string name = std::strcmp(format, "fp32") == 0 ? std::string(p) : std::string(p) + "_" + format;
        const double clean = fast_cpu_rate(rep, name, w, false), faulty = fast_cpu_rate(rep, name, w, true);
        if (clean <= 0 || faulty <= 0) continue;
        std::printf("  fast engine, %-5s %-4s %-11s one thread, per CPU second: fault-free %sMAC/s, 4 faults %sMAC/s (%s)\n",
                    p, format, w.name, si(clean).c_str(), si(faulty).c_str(), extra_time(clean, faulty).c_str());
        const double percent = extra_time_percent(clean, faulty);
        if (percent > worst.percent) worst = {percent, std::string(p) + " " + format + " " + w.name};
      }
  return worst;
}

const Workload& workload(const char* name) {
  for (const auto& w : workloads())
    if (std::strcmp(w.name, name) == 0) return w;
  throw std::invalid_argument(std::string("no workload ") + name);
}

void print_summary(const SummaryReporter& rep) {
  std::printf("\nSummary (simulated useful MACs per second; %s):\n", load_average().c_str());
  for (const char* p : kPresets)
    for (const auto& w : workloads()) print_case(rep, p, w);
  const WorstCost worst = print_datatypes(rep);

  std::printf("Targets of issue 14 (fast engine and Eigen GEMM on one thread, per CPU second):\n");
  const struct {
    const char* preset;
    const char* workload;
    double share;
  } targets[] = {{"large", "conv3x3_64", 0.5}, {"small", "lenet_conv2", 0.3}};
  for (const auto& t : targets) {
    const Workload& w = workload(t.workload);
    const double fast = fast_cpu_rate(rep, t.preset, w, false), eigen = rep.cpu_rate(eigen_name(w, 1), "MAC/s");
    if (fast > 0 && eigen > 0)
      print_target(std::string(t.preset) + " " + t.workload + ": fast engine / Eigen GEMM", 100.0 * fast / eigen,
                   100.0 * t.share, "%");
  }
  if (worst.percent > -1e9)
    std::printf("    4 faults' cost, worst of the cases above: %+.0f%% (%s); the target (<= 10%%) is judged by "
                "fault_cost_bench, which alternates the two sides\n",
                worst.percent, worst.name.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "engines_bench", register_benchmarks, print_summary);
}
