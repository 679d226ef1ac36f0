#pragma once
// Shared pieces of the Google Benchmark programs in bench/ (header-only; each
// benchmark is one translation unit): the workloads and array presets, the four
// faults of the faulty runs, the thread counts every comparison runs at (1 and the
// count accsim uses), the Eigen GEMM baseline (the im2col form of each convolution,
// [K x C*R*S] * [C*R*S x P*Q]) at those counts, the PyTorch baselines
// (bench/torch_timing.py) and the comparison against the faster configuration of a
// baseline, a console reporter that keeps each benchmark's best repetition for a
// summary, and the common main().
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
#include <string>
#include <vector>

#include <unistd.h>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "arch/conv_job.h"
#include "arch/hardware_fault.h"
#include "arch/number_format.h"
#include "arch/random.h"
#include "arch/tensor.h"
#include "baseline_comparison.h"
#include "workloads/experiments/available_cpus.h"

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

// bench/ in the source tree (__FILE__ of this header: absolute, or relative to the
// build directory under ccache's base_dir, hence: run the programs from build/bench).
inline std::string bench_dir() {
  const std::string file = __FILE__;
  const std::size_t slash = file.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : file.substr(0, slash);
}

// configs/ sits next to bench/; ACCSIM_CONFIG_DIR overrides it.
inline std::string config_dir() {
  if (const char* env = std::getenv("ACCSIM_CONFIG_DIR")) return env;
  return bench_dir() + "/../configs";
}

inline const ArrayConfig& preset(const std::string& name) {
  static std::map<std::string, ArrayConfig> cache;
  auto it = cache.find(name);
  if (it == cache.end()) {
    const std::string file = config_dir() + "/" + name + ".json";
    nlohmann::json j = ConfigReader::load_file(file);
    j.at("array").erase("memory");  // the compute side alone, as every benchmark figure was measured
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

// One job of a workload with its operands, seeded: every engine times the same data.
struct JobCase {
  ConvJob job;
  Tensor input, weights;
  explicit JobCase(const Workload& w) {
    job.layer = w.name;
    job.shape = w.shape;
    Rng rng(42);
    input = random_tensor({w.shape.n, w.shape.c, w.shape.h, w.shape.w}, rng);
    weights = random_tensor({w.shape.k, w.shape.c, w.shape.r, w.shape.s}, rng);
  }
};

// "large" is the preset as shipped (fp32); "large_int8" the same array on another datapath.
inline ArrayConfig array_for(const std::string& name) {
  const std::size_t cut = name.find('_');
  ArrayConfig a = preset(name.substr(0, cut));
  if (cut != std::string::npos) a.datatype = parse_datatype(name.substr(cut + 1));
  return a;
}

// ---------------------------------------------------------------- threads, load

// The threads accsim uses by default (`threads: 0`: the CPUs this process may use).
inline int machine_threads() { return resolve_threads(0); }

// The thread counts both sides of every comparison run at: 1 and machine_threads().
inline std::vector<int> thread_counts() {
  const int n = machine_threads();
  return n > 1 ? std::vector<int>{1, n} : std::vector<int>{1};
}

// "1_thread", "2_threads": the last part of a benchmark's name.
inline std::string threads_name(int threads) {
  return std::to_string(threads) + (threads == 1 ? "_thread" : "_threads");
}

// "1 thread", "2 threads".
inline std::string threads_text(int threads) {
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

// Seconds on a CPU-time clock: the process's (every thread) or the calling thread's.
inline double clock_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
inline double process_cpu_seconds() { return clock_seconds(CLOCK_PROCESS_CPUTIME_ID); }
inline double thread_cpu_seconds() { return clock_seconds(CLOCK_THREAD_CPUTIME_ID); }

// Records counter "cpu_s/iter": CPU seconds of every thread of the process per
// iteration of a benchmark's loop. Next to the wall clock it tells a multi-threaded run
// that did more work from one that waited for a core other work held.
class CpuTimer {
 public:
  void stop(benchmark::State& state) const {
    state.counters["cpu_s/iter"] = (process_cpu_seconds() - start_) / static_cast<double>(state.iterations());
  }

 private:
  double start_ = process_cpu_seconds();
};

// "load average 1.52 (1 min) 3.10 (5 min)": other work on the machine slows every
// multi-threaded configuration most.
inline std::string load_average() {
  double load[2] = {0, 0};
  char buf[96];
  if (getloadavg(load, 2) < 2) return "load average unavailable";
  std::snprintf(buf, sizeof buf, "load average %.2f (1 min) %.2f (5 min)", load[0], load[1]);
  return buf;
}

// ---------------------------------------------------------------- comparisons

inline std::string si(double v) {
  char buf[64];
  if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2f G ", v / 1e9);
  else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.1f M ", v / 1e6);
  else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1f k ", v / 1e3);
  else std::snprintf(buf, sizeof buf, "%.1f ", v);
  return buf;
}

// "1 thread 16.0 k, 2 threads 2.0 k exp-img/s (faster: 1 thread)"
inline std::string rates_text(const Rates& rates, const std::string& unit) {
  std::string text;
  for (const auto& [threads, rate] : rates) {
    std::string value = si(rate);
    value.pop_back();  // si's trailing space
    text += (text.empty() ? "" : ", ") + threads_text(threads) + " " + value;
  }
  text += " " + unit;
  if (rates.size() > 1) text += " (faster: " + threads_text(fastest(rates).threads) + ")";
  return text;
}

// Prints both sides' rates at each thread count, the configuration of each that won,
// and accsim / baseline against the baseline's best configuration, wall clock and per
// core (nothing when accsim's side did not run); with both sides' rates per CPU second (every thread's CPU time: what other work
// on the machine disturbs least), their best against each other too. Returns the
// wall-clock and per-core ratios (0 when a side has no rate).
inline Ratio print_comparison(const std::string& accsim_name, const Rates& accsim, const std::string& baseline_name,
                              const Rates& baseline, const std::string& unit, const Rates& accsim_cpu = {},
                              const Rates& baseline_cpu = {}) {
  if (accsim.empty()) return {};  // filtered out
  std::printf("    %-28s %s\n", (accsim_name + ":").c_str(), rates_text(accsim, unit).c_str());
  std::printf("    %-28s %s\n", (baseline_name + ":").c_str(), rates_text(baseline, unit).c_str());
  const Ratio r = compare(accsim, baseline);
  if (r.wall <= 0) return r;
  const Pick a = fastest(accsim), b = fastest(baseline), ac = best_per_core(accsim), bc = best_per_core(baseline);
  std::printf("    accsim / best baseline: %.2fx wall clock (%s / %s), %.2fx per core (%s / %s)\n", r.wall,
              threads_text(a.threads).c_str(), threads_text(b.threads).c_str(), r.per_core,
              threads_text(ac.threads).c_str(), threads_text(bc.threads).c_str());
  const Pick acpu = fastest(accsim_cpu), bcpu = fastest(baseline_cpu);
  if (acpu.rate > 0 && bcpu.rate > 0)
    std::printf("    per CPU second: accsim %s%s (%s), baseline %s%s (%s): %.2fx\n", si(acpu.rate).c_str(), unit.c_str(),
                threads_text(acpu.threads).c_str(), si(bcpu.rate).c_str(), unit.c_str(), threads_text(bcpu.threads).c_str(),
                acpu.rate / bcpu.rate);
  return r;
}

// "  target: per core >= 10x: 1.88x  MISSED"
inline void print_target(const std::string& what, double value, double target, const char* unit = "x") {
  std::printf("    target (issue 14): %s >= %g%s: %.2f%s  %s\n", what.c_str(), target, unit, value, unit,
              value >= target ? "met" : "MISSED");
}

// ---------------------------------------------------------------- PyTorch baselines

// One run of a PyTorch baseline script: bench/<script> timed at every thread count of
// thread_counts() in one process (bench/torch_timing.py), its rates read from the
// script's "threads=<t> rate=<r> cpu_rate=<c> ..." lines.
struct TorchBaseline {
  Rates rate;                // work per wall-clock second
  Rates cpu_rate;            // work per CPU second of the script's timed loop
  std::string detail;        // the script's first other line (what it timed)
  std::string why;           // why `rate` is empty
};

inline TorchBaseline run_torch_baseline(const std::string& script, const std::string& args, double seconds = 2.0) {
  std::string cmd = "/usr/bin/python3 " + bench_dir() + "/" + script + " " + args + " --seconds " +
                    std::to_string(seconds) + " --threads";
  for (int t : thread_counts()) cmd += " " + std::to_string(t);
  TorchBaseline b;
  FILE* pipe = ::popen((cmd + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    b.why = "cannot start /usr/bin/python3";
    return b;
  }
  char line[1024];
  std::string last;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    BaselineLine l;
    if (parse_baseline_line(line, l)) {
      b.rate[l.threads] = l.rate;
      b.cpu_rate[l.threads] = l.cpu_rate;
      continue;
    }
    last = line;
    last = last.substr(0, last.find('\n'));
    if (b.detail.empty() && !last.empty()) b.detail = last;
  }
  const int status = ::pclose(pipe);
  if (b.rate.empty()) b.why = !last.empty() ? last : "exit status " + std::to_string(status);
  return b;
}

// Prints the baseline's line: what it timed, or why it did not run. Whether it ran.
inline bool print_torch_baseline(const TorchBaseline& b) {
  if (b.rate.empty()) {
    std::printf("  PyTorch baseline skipped: %s\n", b.why.c_str());
    return false;
  }
  std::printf("  PyTorch baseline: %s\n", b.detail.c_str());
  return true;
}

// ---------------------------------------------------------------- Eigen baseline

struct GemmShape {
  Eigen::Index m, k, n;  // [m x k] * [k x n]
};

inline GemmShape im2col_gemm(const ConvShape& s) {
  return {s.k, static_cast<Eigen::Index>(s.c) * s.r * s.s, static_cast<Eigen::Index>(s.pixels())};
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

// "eigen_gemm/lenet_conv2/2_threads"
inline std::string eigen_name(const Workload& w, int threads) {
  return "eigen_gemm/" + std::string(w.name) + "/" + threads_name(threads);
}

// Eigen's GEMM of the im2col shape of `w` on `threads` threads (Eigen's own OpenMP
// split: the bench programs link OpenMP, the simulator does not use Eigen). Counters
// "MAC/s", per wall-clock second, and "cpu_s/iter" (CpuTimer).
inline void BM_eigen_gemm(benchmark::State& state, const Workload& w, int threads) {
  Eigen::setNbThreads(threads);
  const GemmShape g = im2col_gemm(w.shape);
  GemmOperands ops(g);
  ops.multiply();  // warm-up: page in the operands and the result, start OpenMP's team
  const CpuTimer cpu;
  for (auto _ : state) ops.multiply();
  cpu.stop(state);
  Eigen::setNbThreads(1);
  const double macs = static_cast<double>(w.shape.macs()) * static_cast<double>(state.iterations());
  state.counters["MAC/s"] = benchmark::Counter(macs, benchmark::Counter::kIsRate);
  state.SetLabel("[" + std::to_string(g.m) + "x" + std::to_string(g.k) + "]*[" + std::to_string(g.k) + "x" +
                 std::to_string(g.n) + "]");
}

inline void register_eigen_benchmarks() {
  for (const auto& w : workloads())
    for (int t : thread_counts())
      benchmark::RegisterBenchmark(eigen_name(w, t).c_str(), [&w, t](benchmark::State& st) { BM_eigen_gemm(st, w, t); })
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime()
          ->MinTime(0.5);
}

// ---------------------------------------------------------------- summary

// The console reporter, keeping each benchmark's final counters for the summary. With
// repetitions (--benchmark_repetitions, best with --benchmark_enable_random_interleaving),
// the fastest repetition (least wall-clock time per iteration) stands for the benchmark:
// every benchmark does the same work per iteration, so it is the one least slowed by
// other work on the machine.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.error_occurred || r.run_type != Run::RT_Iteration || r.iterations == 0) continue;
      const std::string& name = r.run_name.function_name;
      const double seconds = r.real_accumulated_time / static_cast<double>(r.iterations);
      auto best = seconds_.find(name);
      if (best != seconds_.end() && best->second <= seconds) continue;
      seconds_[name] = seconds;
      counters[name].clear();
      for (const auto& [key, c] : r.counters) counters[name][key] = c.value;
    }
    benchmark::ConsoleReporter::ReportRuns(runs);
  }
  // A counter of a benchmark's best repetition, or 0 when the benchmark did not run
  // (filtered or failed).
  double counter(const std::string& name, const std::string& key) const {
    auto it = counters.find(name);
    if (it == counters.end()) return 0.0;
    auto c = it->second.find(key);
    return c == it->second.end() ? 0.0 : c->second;
  }
  // Wall-clock seconds per iteration of a benchmark's best repetition (0: did not run).
  double seconds(const std::string& name) const {
    auto it = seconds_.find(name);
    return it == seconds_.end() ? 0.0 : it->second;
  }
  // `key` of "<prefix>/<threads_name(t)>" for every t of thread_counts() that ran.
  Rates rates(const std::string& prefix, const std::string& key) const {
    Rates r;
    for (int t : thread_counts())
      if (const double v = counter(prefix + "/" + threads_name(t), key); v > 0) r[t] = v;
    return r;
  }
  // Work per CPU second of every thread of a benchmark: its wall-clock rate `key` x
  // wall seconds / counter "cpu_s/iter" (CpuTimer); 0 when it did not run.
  double cpu_rate(const std::string& name, const std::string& key) const {
    const double cpu = counter(name, "cpu_s/iter"), work = counter(name, key) * seconds(name);
    return cpu > 0 && work > 0 ? work / cpu : 0.0;
  }
  // cpu_rate of "<prefix>/<threads_name(t)>" for every t of thread_counts() that ran.
  Rates cpu_rates(const std::string& prefix, const std::string& key) const {
    Rates r;
    for (int t : thread_counts())
      if (const double v = cpu_rate(prefix + "/" + threads_name(t), key); v > 0) r[t] = v;
    return r;
  }
  std::map<std::string, std::map<std::string, double>> counters;  // benchmark name -> counter -> value

 private:
  std::map<std::string, double> seconds_;  // benchmark name -> seconds per iteration of its best repetition
};

// accsim's own thread scaling on benchmarks "<run>/<T>_threads" (runs of `experiments`
// experiments) and "<setup>/<T>_threads" (runs of a few experiments: the fixed cost of a
// run, which the first subtracts): machine_threads() over 1 thread for the whole run and
// for the experiments alone, checked against `target`, and the CPU seconds of each run.
// The wall clock measures the scaling only on otherwise idle cores: with Linux's
// autogroup scheduling a busy machine gives a process one share however many threads it
// runs, and the scaling reads ~1x. Then the CPU seconds bound it: N threads that do no
// more work than one finish at most N x CPU(1) / CPU(N) times faster.
inline void print_scaling(const SummaryReporter& rep, const std::string& run, const std::string& setup,
                          long long experiments, double target) {
  const int n = machine_threads();
  const std::string one = "/" + threads_name(1), many = "/" + threads_name(n);
  const double run1 = rep.seconds(run + one), runn = rep.seconds(run + many);
  const double setup1 = rep.seconds(setup + one), setupn = rep.seconds(setup + many);
  if (n == 1 || run1 <= 0 || runn <= 0) return;
  std::printf("  accsim %s / 1 thread: %.2fx the whole run", threads_text(n).c_str(), run1 / runn);
  const double cpu1 = rep.counter(run + one, "cpu_s/iter"), cpun = rep.counter(run + many, "cpu_s/iter");
  if (cpu1 > 0 && cpun > 0)
    std::printf(" (CPU seconds per run: %.2f on 1 thread, %.2f on %d, %+.0f%%: at most %.2fx on otherwise idle cores)",
                cpu1, cpun, n, 100.0 * (cpun / cpu1 - 1.0), n * cpu1 / cpun);
  if (setup1 <= 0 || setupn <= 0 || run1 <= setup1 || runn <= setupn) {
    std::printf("\n");
    return;
  }
  const double alone = (run1 - setup1) / (runn - setupn);
  std::printf(";\n    the fixed cost of a run %.0f ms on 1 thread, %.0f ms on %d (%.1f%% of the run); the %lld experiments "
              "alone %.2fx\n",
              1e3 * setup1, 1e3 * setupn, n, 100.0 * setupn / runn, experiments, alone);
  print_target("accsim " + threads_text(n) + " / 1 thread, experiments alone", alone, target);
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

// The common main(): silences SystemC's banner, loads the presets (config errors
// surface before any timing), runs `prepare`, registers the benchmarks, runs them and,
// under the console format (the default), prints the summary.
inline int bench_main(int argc, char** argv, const char* program, const std::function<void()>& register_benchmarks,
                      const std::function<void(const SummaryReporter&)>& print_summary,
                      const std::function<void()>& prepare = [] {}) {
  // Before anything touches SystemC: silence the kernel's banner.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  Eigen::setNbThreads(1);
  const bool console_output = console_format(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    for (const char* p : kPresets) preset(p);
    prepare();
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
    if (!reporter.counters.empty()) print_summary(reporter);
    std::fflush(stdout);
  }
  benchmark::Shutdown();
  return 0;
}

}  // namespace accsim::bench
