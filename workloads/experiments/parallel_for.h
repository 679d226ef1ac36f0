#pragma once
// Independent jobs on worker threads: the fault-free runs of a campaign's batches, a
// PVF pool's records, the mitigation variants' baselines.
#include <cstddef>
#include <functional>

namespace accsim {

// Threads for `configured` (0: the CPUs this process may use, available_cpus.h) and
// `jobs` jobs: at least 1, at most jobs.
int worker_count(int configured, std::size_t jobs);

// Runs job(i) for i in [0, count) on `threads` threads; rethrows the first exception.
void parallel_for(int threads, std::size_t count, const std::function<void(std::size_t)>& job);

// parallel_for with its thread count bound: what a caller hands to code that must not
// know it (job(i) for i in [0, count), possibly on several threads).
using ParallelFor = std::function<void(std::size_t count, const std::function<void(std::size_t)>& job)>;

}  // namespace accsim
