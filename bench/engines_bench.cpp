// Speed of the fast engine (fault mapper + array-faithful kernel + closed-form cycles)
// next to the cycle-level model (the SystemC convolution core) and a single-threaded
// Eigen GEMM of the same MAC count (the im2col form of each convolution:
// [K x C*R*S] * [C*R*S x P*Q]), all timed in the same process, in simulated useful
// MACs per second of host CPU time. The targets (issue): on the large preset, 3x3 conv
// C = K = 64 at 28x28 (pad 1), the fast engine runs >= 100x the cycle model's MAC/s and
// >= 25% of the Eigen GEMM's, and 4 faults cost <= 10% time over none.
//
// Benchmarks:
//   eigen_gemm/<workload>                    the baseline, as a benchmark of its own
//   fast/<preset>/<workload>/<faults>        FastEngine::run on one job per iteration
//   cycle/<preset>/<workload>/<faults>       CycleEngine::run on one job per iteration
//   fast/<preset>_<datatype>/conv3x3_64/<faults>   the fast engine on the fp16, bf16 and
//                                            int8 datapaths (operand conversion included)
// Counters: "MAC/s" (useful MACs per second), "cycles/s" (simulated cycles per second),
// "ratio_to_eigen" (MAC/s over the Eigen baseline of the same shape, measured once per
// shape before any benchmark runs). Rates are per second of process CPU time (Google
// Benchmark's default), so a concurrent build disturbs them less than wall-clock rates.
// The fast and the cycle benchmarks of one case run back to back, so their ratio comes
// from the same conditions. Before timing a case, the fast engine's result is checked
// against the cycle model's (bit-identical output, equal timing): a benchmark of a wrong
// engine is reported as an error, not as a speed. A summary is printed at the end.
#include <cstdio>
#include <cstring>
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

// "large" is the preset as shipped (fp32); "large_int8" the same array on another datapath.
ArrayConfig array_for(const std::string& name) {
  const std::size_t cut = name.find('_');
  ArrayConfig a = preset(name.substr(0, cut));
  if (cut != std::string::npos) a.datatype = parse_datatype(name.substr(cut + 1));
  return a;
}

const char* const kFormats[] = {"fp16", "bf16", "int8"};

std::string case_name(const std::string& engine, const std::string& p, const Workload& w, bool faulty) {
  return engine + "/" + p + "/" + w.name + (faulty ? "/4_faults" : "/fault-free");
}

// One job of a workload with its operands, seeded: every engine times the same data.
struct Case {
  ConvJob job;
  Tensor input, weights;
  explicit Case(const Workload& w) {
    job.layer = w.name;
    job.shape = w.shape;
    Rng rng(42);
    input = random_tensor({w.shape.n, w.shape.c, w.shape.h, w.shape.w}, rng);
    weights = random_tensor({w.shape.k, w.shape.c, w.shape.r, w.shape.s}, rng);
  }
};

// "" when the fast engine's result equals the cycle model's (output bit for bit,
// timing field for field) on this case, else what differs. Checked once per case:
// Google Benchmark calls a benchmark function several times while sizing its run.
const std::string& fast_agrees_with_cycle(const std::string& preset_name, const Workload& w, bool faulty) {
  static std::map<std::string, std::string> cache;
  const std::string key = case_name("fast", preset_name, w, faulty);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const ArrayConfig array = array_for(preset_name);
  const PeFaults pe_faults(array, faulty ? four_faults(array.datatype) : std::vector<HardwareFault>{});
  const Case c(w);
  const JobResult fast = make_engine("fast", array, pe_faults)->run(c.job, c.input, c.weights, 0);
  const JobResult cycle = make_engine("cycle", array, pe_faults)->run(c.job, c.input, c.weights, 0);
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
               const Workload& w, bool faulty) {
  if (engine_name == "fast") {
    const std::string& error = fast_agrees_with_cycle(preset_name, w, faulty);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      return;
    }
  }
  const ArrayConfig array = array_for(preset_name);
  // outlives the engine
  const PeFaults pe_faults(array, faulty ? four_faults(array.datatype) : std::vector<HardwareFault>{});
  const std::unique_ptr<Engine> engine = make_engine(engine_name, array, pe_faults);
  const Case c(w);
  const double eigen_rate = eigen_mac_rate(w.shape);  // cached before the timed loop

  long long macs = 0, cycles = 0;
  const double t0 = process_cpu_seconds();
  for (auto _ : state) {
    JobResult r = engine->run(c.job, c.input, c.weights, /*start_cycle=*/0);
    benchmark::DoNotOptimize(r.output.data());
    macs = r.timing.macs;
    cycles = r.timing.cycles;
  }
  const double seconds = process_cpu_seconds() - t0;  // the loop's CPU time, as the rate counters use
  if (macs != w.shape.macs()) {
    state.SkipWithError("engine reported a MAC count different from the shape's");
    return;
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(macs) * iters, benchmark::Counter::kIsRate);
  state.counters["cycles/s"] = benchmark::Counter(static_cast<double>(cycles) * iters, benchmark::Counter::kIsRate);
  const double ratio = static_cast<double>(macs) * iters / seconds / eigen_rate;
  state.counters["ratio_to_eigen"] = ratio;  // a plain number: MAC/s over the cached Eigen MAC/s
  char label[96];
  std::snprintf(label, sizeof label, "%lld cycles/job; Eigen GEMM %.1fx faster", cycles, 1.0 / ratio);
  state.SetLabel(label);
}

// ---------------------------------------------------------------- registration

void register_benchmarks() {
  register_eigen_benchmarks();
  // Per case, the fast and the cycle runs back to back (fault-free, then 4 faults).
  for (const char* p : kPresets)
    for (const auto& w : workloads())
      for (const char* engine : kEngines)
        for (bool faulty : {false, true}) {
          const std::string preset_name = p, engine_name = engine;
          benchmark::RegisterBenchmark(case_name(engine, p, w, faulty).c_str(),
                                       [engine_name, preset_name, &w, faulty](benchmark::State& st) {
                                         BM_engine(st, engine_name, preset_name, w, faulty);
                                       })
              ->Unit(benchmark::kMillisecond)
              ->MinTime(engine_name == "fast" ? 1.0 : 0.5);
        }
  // The other datapaths, fast engine only (each case still checked against the cycle model).
  for (const char* p : kPresets)
    for (const char* format : kFormats)
      for (const auto& w : workloads()) {
        if (std::strcmp(w.name, "conv3x3_64") != 0) continue;
        for (bool faulty : {false, true}) {
          const std::string preset_name = std::string(p) + "_" + format;
          benchmark::RegisterBenchmark(case_name("fast", preset_name, w, faulty).c_str(),
                                       [preset_name, &w, faulty](benchmark::State& st) {
                                         BM_engine(st, "fast", preset_name, w, faulty);
                                       })
              ->Unit(benchmark::kMillisecond)
              ->MinTime(0.5);
        }
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

void print_summary(const SummaryReporter& rep) {
  std::printf("\nSummary (simulated useful MACs per second of CPU time; Eigen GEMM single-threaded, same MAC count):\n");
  print_eigen_baselines();
  for (const char* p : kPresets)
    for (const auto& w : workloads()) {
      const double eigen = eigen_mac_rate(w.shape);
      const double cycle_clean = rep.rate(case_name("cycle", p, w, false));
      const double cycle_faulty = rep.rate(case_name("cycle", p, w, true));
      const double fast_clean = rep.rate(case_name("fast", p, w, false));
      const double fast_faulty = rep.rate(case_name("fast", p, w, true));
      if (fast_clean > 0.0) {
        std::printf("  fast  %-5s %-11s fault-free: %sMAC/s", p, w.name, si(fast_clean).c_str());
        if (cycle_clean > 0.0) std::printf(" = %.2fx cycle model", fast_clean / cycle_clean);
        std::printf(", %.3fx Eigen GEMM (%sMAC/s)", fast_clean / eigen, si(eigen).c_str());
        if (fast_faulty > 0.0) {
          std::printf("; 4 faults: %sMAC/s", si(fast_faulty).c_str());
          if (cycle_faulty > 0.0) std::printf(" = %.2fx cycle model", fast_faulty / cycle_faulty);
          std::printf(" (%s)", extra_time(fast_clean, fast_faulty).c_str());
        }
        std::printf("\n");
      }
      if (cycle_clean > 0.0) {
        std::printf("  cycle %-5s %-11s fault-free: %sMAC/s, %.4fx Eigen GEMM", p, w.name, si(cycle_clean).c_str(),
                    cycle_clean / eigen);
        if (cycle_faulty > 0.0)
          std::printf("; 4 faults: %sMAC/s (%s)", si(cycle_faulty).c_str(), extra_time(cycle_clean, cycle_faulty).c_str());
        std::printf("\n");
      }
    }

  for (const char* p : kPresets)
    for (const char* format : kFormats)
      for (const auto& w : workloads()) {
        const std::string name = std::string(p) + "_" + format;
        const double clean = rep.rate(case_name("fast", name, w, false));
        const double faulty = rep.rate(case_name("fast", name, w, true));
        if (clean <= 0.0) continue;
        std::printf("  fast  %-10s %-11s fault-free: %sMAC/s, %.3fx Eigen GEMM", name.c_str(), w.name,
                    si(clean).c_str(), clean / eigen_mac_rate(w.shape));
        if (faulty > 0.0) std::printf("; 4 faults: %sMAC/s (%s)", si(faulty).c_str(), extra_time(clean, faulty).c_str());
        std::printf("\n");
      }

  // The targets, on the large preset's conv3x3_64.
  const Workload* target = nullptr;
  for (const auto& w : workloads())
    if (std::strcmp(w.name, "conv3x3_64") == 0) target = &w;
  if (target == nullptr) return;
  const double fast_clean = rep.rate(case_name("fast", "large", *target, false));
  const double fast_faulty = rep.rate(case_name("fast", "large", *target, true));
  const double cycle_clean = rep.rate(case_name("cycle", "large", *target, false));
  const double eigen = eigen_mac_rate(target->shape);
  if (fast_clean <= 0.0) return;
  std::printf("Targets (fast engine, large preset, conv3x3_64):\n");
  if (cycle_clean > 0.0)
    std::printf("  >= 100x the cycle model's MAC/s:        %8.2fx   %s\n", fast_clean / cycle_clean,
                fast_clean >= 100.0 * cycle_clean ? "met" : "MISSED");
  std::printf("  >= 25%% of the Eigen GEMM's MAC/s:       %8.1f%%   %s\n", 100.0 * fast_clean / eigen,
              fast_clean >= 0.25 * eigen ? "met" : "MISSED");
  if (fast_faulty > 0.0)
    std::printf("  4 faults cost <= 10%% time over none:    %+7.0f%%   %s\n", extra_time_percent(fast_clean, fast_faulty),
                extra_time_percent(fast_clean, fast_faulty) <= 10.0 ? "met" : "MISSED");
}

}  // namespace

int main(int argc, char** argv) {
  return bench_main(argc, argv, "engines_bench", register_benchmarks, print_summary);
}
