// Speed of the cycle-level model (the SystemC convolution core behind CycleEngine),
// in simulated useful MACs per second of host CPU time, next to a single-threaded
// Eigen GEMM of the same MAC count (the im2col form of each convolution:
// [K x C*R*S] * [C*R*S x P*Q]) timed in the same process.
//
// Benchmarks:
//   eigen_gemm/<workload>                  the baseline, as a benchmark of its own
//   cycle/<preset>/<workload>/<faults>     CycleEngine::run on one job per iteration
// Counters: "MAC/s" (useful MACs per second), "ratio_to_eigen" (MAC/s divided by the
// Eigen baseline of the same shape, measured once per shape before any benchmark runs,
// over >= 0.2 s of CPU time) and, for the cycle model, "cycles/s" (simulated cycles per
// second). All rates are per second of process CPU time (Google Benchmark's default), so
// a concurrent build on the machine disturbs them less than wall-clock rates.
// A summary table is printed after the benchmarks.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "arch/conv_job.h"
#include "arch/hardware_fault.h"
#include "arch/pe_faults.h"
#include "arch/random.h"
#include "arch/tensor.h"
#include "sim/cycle_engine.h"

namespace {

using namespace accsim;

// ---------------------------------------------------------------- workloads, presets

struct Workload {
  const char* name;
  ConvShape shape;
};

const std::vector<Workload>& workloads() {
  static const std::vector<Workload> w = {
      // LeNet-5 conv2: input [1,6,12,12], weights [16,6,5,5], stride 1, pad 0.
      {"lenet_conv2", ConvShape{1, 6, 12, 12, 16, 5, 5, 1, 0}},
      // 3x3 conv, C = K = 64 at 28x28, stride 1, pad 1.
      {"conv3x3_64", ConvShape{1, 64, 28, 28, 64, 3, 3, 1, 1}},
  };
  return w;
}

const char* const kPresets[] = {"small", "large"};

// configs/ sits next to bench/ in the source tree; the bench target does not define
// ACCSIM_SOURCE_DIR, so derive it from this file's path (CMake passes absolute paths).
std::string config_dir() {
  if (const char* env = std::getenv("ACCSIM_CONFIG_DIR")) return env;
  std::string file = __FILE__;
  const std::size_t slash = file.find_last_of('/');
  const std::string bench_dir = slash == std::string::npos ? std::string(".") : file.substr(0, slash);
  return bench_dir + "/../configs";
}

const ArrayConfig& preset(const std::string& name) {
  static std::map<std::string, ArrayConfig> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    const std::string file = config_dir() + "/" + name + ".json";
    nlohmann::json j = ConfigReader::load_file(file);
    it = cache.emplace(name, parse_array_config(ConfigReader(j.at("array"), file, "array"))).first;
  }
  return it->second;
}

// The four faults of the faulty runs; every PE coordinate is valid on both presets
// (small is 8x8, large 64x32). The transient hits at run cycle 40, after the first
// weight load (8 cycles on small, 16 on large), on every iteration (start_cycle 0).
std::vector<HardwareFault> four_faults() {
  HardwareFault weight{FaultSite::weight, 1, 2, 30, FaultKind::stuck_at_1, -1};
  HardwareFault input{FaultSite::input, 0, 0, 29, FaultKind::stuck_at_0, -1};
  HardwareFault product{FaultSite::product, 2, 3, 20, FaultKind::transient, 40};
  HardwareFault psum{FaultSite::psum, 0, 1, 3, FaultKind::stuck_at_1, -1};
  return {weight, input, product, psum};
}

Tensor random_tensor(std::vector<int> shape, Rng& rng) {
  Tensor t(std::move(shape));
  for (auto& v : t.values()) v = rng.uniform(-1.0f, 1.0f);
  return t;
}

// ---------------------------------------------------------------- Eigen baseline

struct GemmShape {
  Eigen::Index m, k, n;  // [m x k] * [k x n]
};

GemmShape im2col_gemm(const ConvShape& s) {
  return {s.k, static_cast<Eigen::Index>(s.c) * s.r * s.s, static_cast<Eigen::Index>(s.pixels())};
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct GemmOperands {
  Eigen::MatrixXf a, b, c;
  explicit GemmOperands(const GemmShape& g)
      : a(Eigen::MatrixXf::Random(g.m, g.k)), b(Eigen::MatrixXf::Random(g.k, g.n)), c(g.m, g.n) {}
  void multiply() {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
};

// MAC/s of the Eigen GEMM of `s`'s im2col shape, measured once per shape over >= 0.2 s
// of CPU time (after a warm-up product) and cached for every later ratio.
double eigen_mac_rate(const ConvShape& s) {
  static std::map<std::vector<long long>, double> cache;
  const GemmShape g = im2col_gemm(s);
  const std::vector<long long> key = {g.m, g.k, g.n};
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  Eigen::setNbThreads(1);
  GemmOperands ops(g);
  ops.multiply();  // warm-up: page in the operands and the result
  const double macs_per_product = static_cast<double>(g.m) * static_cast<double>(g.k) * static_cast<double>(g.n);
  long long products = 0;
  const double t0 = process_cpu_seconds();
  double elapsed = 0.0;
  do {
    for (int i = 0; i < 8; ++i) ops.multiply();
    products += 8;
    elapsed = process_cpu_seconds() - t0;
  } while (elapsed < 0.2);
  const double rate = macs_per_product * static_cast<double>(products) / elapsed;
  cache.emplace(key, rate);
  return rate;
}

void BM_eigen_gemm(benchmark::State& state, const Workload& w) {
  Eigen::setNbThreads(1);
  const GemmShape g = im2col_gemm(w.shape);
  GemmOperands ops(g);
  const double macs = static_cast<double>(w.shape.macs());
  const double eigen_rate = eigen_mac_rate(w.shape);
  const double t0 = process_cpu_seconds();
  for (auto _ : state) ops.multiply();
  const double seconds = process_cpu_seconds() - t0;
  const double iters = static_cast<double>(state.iterations());
  state.counters["MAC/s"] = benchmark::Counter(macs * iters, benchmark::Counter::kIsRate);
  // The cached baseline against a fresh run of the same product: ~1 (a consistency check).
  state.counters["ratio_to_eigen"] = macs * iters / seconds / eigen_rate;
  state.SetLabel("[" + std::to_string(g.m) + "x" + std::to_string(g.k) + "]*[" + std::to_string(g.k) + "x" +
                 std::to_string(g.n) + "]");
}

// ---------------------------------------------------------------- cycle model

void BM_cycle(benchmark::State& state, const std::string& preset_name, const Workload& w, bool faulty) {
  const ArrayConfig& array = preset(preset_name);
  const PeFaults pe_faults(array, faulty ? four_faults() : std::vector<HardwareFault>{});
  CycleEngine engine(array, pe_faults);
  ConvJob job;
  job.layer = w.name;
  job.shape = w.shape;
  Rng rng(42);
  const Tensor input = random_tensor({w.shape.n, w.shape.c, w.shape.h, w.shape.w}, rng);
  const Tensor weights = random_tensor({w.shape.k, w.shape.c, w.shape.r, w.shape.s}, rng);
  const double eigen_rate = eigen_mac_rate(w.shape);  // cached before the timed loop

  long long macs = 0, cycles = 0;
  const double t0 = process_cpu_seconds();
  for (auto _ : state) {
    JobResult r = engine.run(job, input, weights, /*start_cycle=*/0);
    benchmark::DoNotOptimize(r.output.data());
    macs = r.timing.macs;
    cycles = r.timing.cycles;
  }
  const double seconds = process_cpu_seconds() - t0;  // the loop's CPU time, as the rate counters use
  if (macs != w.shape.macs()) {
    state.SkipWithError("cycle model reported a MAC count different from the shape's");
    return;
  }
  const double iters = static_cast<double>(state.iterations());
  state.counters["MAC/s"] = benchmark::Counter(static_cast<double>(macs) * iters, benchmark::Counter::kIsRate);
  state.counters["cycles/s"] = benchmark::Counter(static_cast<double>(cycles) * iters, benchmark::Counter::kIsRate);
  const double ratio = static_cast<double>(macs) * iters / seconds / eigen_rate;
  state.counters["ratio_to_eigen"] = ratio;  // a plain number: MAC/s over the cached Eigen MAC/s
  char label[96];
  std::snprintf(label, sizeof label, "%lld cycles/job; Eigen GEMM %.0fx faster", cycles, 1.0 / ratio);
  state.SetLabel(label);
}

// ---------------------------------------------------------------- registration

std::string cycle_name(const std::string& p, const Workload& w, bool faulty) {
  return "cycle/" + p + "/" + w.name + (faulty ? "/4_faults" : "/fault-free");
}

void register_benchmarks() {
  for (const auto& w : workloads())
    benchmark::RegisterBenchmark(("eigen_gemm/" + std::string(w.name)).c_str(),
                                 [&w](benchmark::State& st) { BM_eigen_gemm(st, w); })
        ->Unit(benchmark::kMicrosecond)
        ->MinTime(0.3);
  for (const char* p : kPresets)
    for (const auto& w : workloads())
      for (bool faulty : {false, true}) {
        const std::string preset_name = p;
        benchmark::RegisterBenchmark(cycle_name(p, w, faulty).c_str(),
                                     [preset_name, &w, faulty](benchmark::State& st) {
                                       BM_cycle(st, preset_name, w, faulty);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->MinTime(1.0);
      }
}

// ---------------------------------------------------------------- summary

// The console reporter, keeping each run's final counters for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration) continue;
      auto it = r.counters.find("MAC/s");
      if (it != r.counters.end()) mac_rate[r.run_name.function_name] = it->second.value;
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> mac_rate;  // benchmark name -> MAC/s
};

std::string si(double v) {
  char buf[64];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2f G ", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.1f M ", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1f k ", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.1f ", v);
  return buf;
}

void print_summary(const SummaryReporter& rep) {
  if (rep.mac_rate.empty()) return;
  std::printf("\nSummary (simulated useful MACs per second of CPU time; Eigen GEMM single-threaded, same MAC count):\n");
  for (const auto& w : workloads()) {
    const GemmShape g = im2col_gemm(w.shape);
    const double eigen = eigen_mac_rate(w.shape);
    std::printf("  %s: %lld MACs/job, Eigen GEMM [%ldx%ld]*[%ldx%ld] baseline %sMAC/s\n", w.name,
                static_cast<long long>(w.shape.macs()), static_cast<long>(g.m), static_cast<long>(g.k),
                static_cast<long>(g.k), static_cast<long>(g.n), si(eigen).c_str());
  }
  for (const char* p : kPresets)
    for (const auto& w : workloads()) {
      const double eigen = eigen_mac_rate(w.shape);
      double clean = 0.0;
      for (bool faulty : {false, true}) {
        auto it = rep.mac_rate.find(cycle_name(p, w, faulty));
        if (it == rep.mac_rate.end()) continue;
        const double rate = it->second;
        if (!faulty) clean = rate;
        std::printf("  cycle %-5s %-11s %-10s: %10sMAC/s (%.4fx Eigen GEMM %sMAC/s)", p, w.name,
                    faulty ? "4 faults" : "fault-free", si(rate).c_str(), rate / eigen, si(eigen).c_str());
        if (faulty && clean > 0.0) std::printf("  [%.2fx the fault-free speed]", rate / clean);
        std::printf("\n");
      }
    }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything touches SystemC: silence the kernel's banner.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  Eigen::setNbThreads(1);
  // The summary is printed only under the console format (the default).
  bool console_output = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string flag = "--benchmark_format=";
    if (arg.compare(0, flag.size(), flag) == 0) console_output = arg.substr(flag.size()) == "console";
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    for (const char* p : kPresets) preset(p);  // config errors surface before any timing
    // The baselines, measured once, before the cycle model runs.
    for (const auto& w : workloads()) eigen_mac_rate(w.shape);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "conv_core_bench: %s\n", e.what());
    return 1;
  }
  register_benchmarks();
  if (!console_output) {
    benchmark::RunSpecifiedBenchmarks();  // json/csv on stdout: no summary after it
  } else {
    SummaryReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                   : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    print_summary(reporter);
  }
  benchmark::Shutdown();
  return 0;
}
