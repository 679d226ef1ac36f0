#pragma once
// Shared pieces of the Google Benchmark programs in bench/ (header-only; each
// benchmark is one translation unit): the workloads and array presets, the four
// faults of the faulty runs, the single-threaded Eigen GEMM baseline (the im2col form
// of each convolution, [K x C*R*S] * [C*R*S x P*Q], cached once per shape), a console
// reporter that keeps each run's counters for a summary, and the common main().
//
// Everything here is `inline` in namespace accsim::bench, so a program that uses only
// part of it compiles warning-free under -Wall -Wextra -Werror.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "arch/conv_job.h"
#include "arch/hardware_fault.h"
#include "arch/random.h"
#include "arch/tensor.h"

namespace accsim::bench {

// ---------------------------------------------------------------- workloads, presets

struct Workload {
  const char* name;
  ConvShape shape;
};

inline const std::vector<Workload>& workloads() {
  static const std::vector<Workload> w = {
      // LeNet-5 conv2: input [1,6,12,12], weights [16,6,5,5], stride 1, pad 0.
      {"lenet_conv2", ConvShape{1, 6, 12, 12, 16, 5, 5, 1, 0}},
      // 3x3 conv, C = K = 64 at 28x28, stride 1, pad 1.
      {"conv3x3_64", ConvShape{1, 64, 28, 28, 64, 3, 3, 1, 1}},
  };
  return w;
}

inline const char* const kPresets[] = {"small", "large"};

// configs/ sits next to bench/ in the source tree; the bench targets do not define
// ACCSIM_SOURCE_DIR, so derive it from this header's path (CMake passes absolute
// source paths, and a quoted #include resolves next to the including file, so
// __FILE__ here is absolute too). ACCSIM_CONFIG_DIR overrides it.
inline std::string config_dir() {
  if (const char* env = std::getenv("ACCSIM_CONFIG_DIR")) return env;
  std::string file = __FILE__;
  const std::size_t slash = file.find_last_of('/');
  const std::string bench_dir = slash == std::string::npos ? std::string(".") : file.substr(0, slash);
  return bench_dir + "/../configs";
}

inline const ArrayConfig& preset(const std::string& name) {
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
// On narrower formats the register bits move to the same place in the word: the
// weight's second-highest bit, the input's third-highest, the product's bit 20 (bit 12
// of int8's int16 product).
inline std::vector<HardwareFault> four_faults(DataType type = DataType::fp32) {
  const int reg = bit_width(type), product = site_bit_width(FaultSite::product, type);
  HardwareFault weight{FaultSite::weight, 1, 2, reg - 2, FaultKind::stuck_at_1, -1};
  HardwareFault input{FaultSite::input, 0, 0, reg - 3, FaultKind::stuck_at_0, -1};
  HardwareFault prod{FaultSite::product, 2, 3, product - 12, FaultKind::transient, 40};
  HardwareFault psum{FaultSite::psum, 0, 1, 3, FaultKind::stuck_at_1, -1};
  return {weight, input, prod, psum};
}

inline Tensor random_tensor(std::vector<int> shape, Rng& rng) {
  Tensor t(std::move(shape));
  for (auto& v : t.values()) v = rng.uniform(-1.0f, 1.0f);
  return t;
}

// ---------------------------------------------------------------- Eigen baseline

struct GemmShape {
  Eigen::Index m, k, n;  // [m x k] * [k x n]
};

inline GemmShape im2col_gemm(const ConvShape& s) {
  return {s.k, static_cast<Eigen::Index>(s.c) * s.r * s.s, static_cast<Eigen::Index>(s.pixels())};
}

inline double process_cpu_seconds() {
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
inline double eigen_mac_rate(const ConvShape& s) {
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

// The baseline as a benchmark of its own: "MAC/s" and "ratio_to_eigen" (the fresh run
// against the cached baseline: ~1, a consistency check).
inline void BM_eigen_gemm(benchmark::State& state, const Workload& w) {
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
  state.counters["ratio_to_eigen"] = macs * iters / seconds / eigen_rate;
  state.SetLabel("[" + std::to_string(g.m) + "x" + std::to_string(g.k) + "]*[" + std::to_string(g.k) + "x" +
                 std::to_string(g.n) + "]");
}

inline std::string eigen_name(const Workload& w) { return "eigen_gemm/" + std::string(w.name); }

inline void register_eigen_benchmarks() {
  for (const auto& w : workloads())
    benchmark::RegisterBenchmark(eigen_name(w).c_str(), [&w](benchmark::State& st) { BM_eigen_gemm(st, w); })
        ->Unit(benchmark::kMicrosecond)
        ->MinTime(0.3);
}

// ---------------------------------------------------------------- summary

// The console reporter, keeping each run's final counters for the summary. With
// repetitions, the median aggregate replaces the single runs.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred) continue;
      const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
      if (r.run_type != Run::RT_Iteration && !median) continue;
      const std::string& name = r.run_name.function_name;
      if (!median && from_median_.count(name)) continue;
      if (median) from_median_.insert(name);
      for (const auto& [key, c] : r.counters) counters[name][key] = c.value;
      auto it = r.counters.find("MAC/s");
      if (it != r.counters.end()) mac_rate[name] = it->second.value;
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
  // benchmark name -> MAC/s, or 0 when the benchmark did not run (filtered or failed).
  double rate(const std::string& name) const {
    auto it = mac_rate.find(name);
    return it == mac_rate.end() ? 0.0 : it->second;
  }
  std::map<std::string, double> mac_rate;                         // benchmark name -> MAC/s
  std::map<std::string, std::map<std::string, double>> counters;  // benchmark name -> counter -> value

 private:
  std::set<std::string> from_median_;  // names whose median aggregate was seen
};

inline std::string si(double v) {
  char buf[64];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2f G ", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.1f M ", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1f k ", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.1f ", v);
  return buf;
}

// The baseline lines of a summary: one per workload.
inline void print_eigen_baselines() {
  for (const auto& w : workloads()) {
    const GemmShape g = im2col_gemm(w.shape);
    std::printf("  %s: %lld MACs/job, Eigen GEMM [%ldx%ld]*[%ldx%ld] baseline %sMAC/s\n", w.name,
                static_cast<long long>(w.shape.macs()), static_cast<long>(g.m), static_cast<long>(g.k),
                static_cast<long>(g.k), static_cast<long>(g.n), si(eigen_mac_rate(w.shape)).c_str());
  }
}

// ---------------------------------------------------------------- main

// Whether the results go out in the console format (the default), where the summary prints.
inline bool console_format(int argc, char** argv) {
  bool console = true;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string flag = "--benchmark_format=";
    if (arg.compare(0, flag.size(), flag) == 0) console = arg.substr(flag.size()) == "console";
  }
  return console;
}

// The common main(): silences SystemC's banner, loads the presets and measures the
// Eigen baselines before any timing (config errors surface first), registers the
// benchmarks, runs them and, under the console format (the default), prints the summary.
inline int bench_main(int argc, char** argv, const char* program, const std::function<void()>& register_benchmarks,
                      const std::function<void(const SummaryReporter&)>& print_summary) {
  // Before anything touches SystemC: silence the kernel's banner.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  Eigen::setNbThreads(1);
  const bool console_output = console_format(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    for (const char* p : kPresets) preset(p);
    for (const auto& w : workloads()) eigen_mac_rate(w.shape);
    register_benchmarks();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", program, e.what());
    return 1;
  }
  if (!console_output) {
    benchmark::RunSpecifiedBenchmarks();  // json/csv on stdout: no summary after it
  } else {
    SummaryReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_ColorTabular
                                                   : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    if (!reporter.mac_rate.empty()) print_summary(reporter);
    std::fflush(stdout);
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace accsim::bench
