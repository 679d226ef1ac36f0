#pragma once
// Runs the independent experiments of a campaign on worker threads, with progress
// reports and periodic checkpoints from the calling thread (`accsim campaign`,
// `accsim pvf`).
//
// Workers take experiment indices from a shared counter; an experiment's result must
// depend only on its index, so results are the same for any thread count and order.
// An experiment computes without the lock and stores its result under the runner's
// lock, so a checkpoint taken under the lock sees consistent results.
#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include "workloads/experiments/parallel_for.h"
#include "workloads/experiments/progress_meter.h"

namespace accsim {

// The indices not done yet, in order; at most `max_experiments` of them (-1: all).
std::vector<std::size_t> pending_experiments(const std::vector<char>& done, long long max_experiments);

struct ExperimentRunnerOptions {
  int threads = 0;                        // 0: the CPUs this process may use
  int group = 1;                          // experiments a worker takes at a time (consecutive in `pending`)
  double checkpoint_seconds = 5.0;
  double progress_seconds = 0.2;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by a signal handler) to stop early
  // Started with the experiments already done, updated from the calling thread about
  // every `progress_seconds` and once at the end; null: none.
  ProgressMeter* progress = nullptr;
};

// done[i] marks finished experiments (it is updated in place). run(indices) computes
// the experiments of a group of up to options.group indices (called concurrently for
// different groups) and returns the step that stores their results, which the runner
// calls under its lock before marking them done.
// checkpoint(): called with the runner's lock held, every checkpoint_seconds when new
// experiments finished and at the end when some of `pending` are left undone; it copies
// what it needs and returns the slow part (writing the file), run after unlocking; null
// checkpoint: none. Returns the number of experiments run; rethrows the first error
// (of a run or of a checkpoint) after the workers stopped.
long long run_experiments(const std::vector<std::size_t>& pending, std::vector<char>& done,
                          const std::function<std::function<void()>(const std::vector<std::size_t>&)>& run,
                          const std::function<std::function<void()>()>& checkpoint,
                          const ExperimentRunnerOptions& options);

}  // namespace accsim
