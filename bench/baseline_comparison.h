#pragma once
// Comparing accsim with an external baseline (PyTorch, Eigen) that ran at several
// thread counts: each side's faster configuration and best rate per core, the ratio
// against the baseline at its best, and the result lines of the PyTorch scripts
// (bench/torch_timing.py). Plain C++ without Google Benchmark, so tests/bench checks it.
#include <cstdio>
#include <map>
#include <string>

namespace accsim::bench {

using Rates = std::map<int, double>;  // thread count -> work per wall-clock second

struct Pick {
  int threads = 0;
  double rate = 0;  // work per wall-clock second, or per core (rate / threads)
};

// The configuration with the highest wall-clock rate (threads 0 when none ran).
inline Pick fastest(const Rates& rates) {
  Pick p;
  for (const auto& [threads, rate] : rates)
    if (rate > p.rate) p = {threads, rate};
  return p;
}

// The configuration with the highest rate per core: its rate over its threads.
inline Pick best_per_core(const Rates& rates) {
  Pick p;
  for (const auto& [threads, rate] : rates)
    if (threads > 0 && rate / threads > p.rate) p = {threads, rate / threads};
  return p;
}

struct Ratio {
  double wall = 0;      // accsim's fastest configuration / the baseline's fastest
  double per_core = 0;  // accsim's best rate per core / the baseline's best rate per core
};

// accsim against the baseline at its best, wall clock and per core; 0s when a side
// has no rate. Against a fixed baseline configuration instead, a 2-thread PyTorch that
// collapses on a busy 2-core machine would flatter accsim tenfold or more.
inline Ratio compare(const Rates& accsim, const Rates& baseline) {
  const Pick a = fastest(accsim), b = fastest(baseline);
  if (a.rate <= 0 || b.rate <= 0) return {};
  return {a.rate / b.rate, best_per_core(accsim).rate / best_per_core(baseline).rate};
}

// One result line of bench/torch_timing.py.
struct BaselineLine {
  int threads = 0;
  double rate = 0;      // work per wall-clock second
  double cpu_rate = 0;  // work per CPU second
};

// Whether `line` is "threads=<t> rate=<r> cpu_rate=<c> ..." with t >= 1 (then in `out`).
inline bool parse_baseline_line(const std::string& line, BaselineLine& out) {
  BaselineLine l;
  if (std::sscanf(line.c_str(), "threads=%d rate=%lf cpu_rate=%lf", &l.threads, &l.rate, &l.cpu_rate) != 3 ||
      l.threads < 1)
    return false;
  out = l;
  return true;
}

}  // namespace accsim::bench
