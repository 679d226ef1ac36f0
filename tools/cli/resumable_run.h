#pragma once
// What the experiment commands (campaign, pvf, the memory campaign, train-campaign) share
// around their runner: the checkpoint beside the output, the progress meter on the user's
// stderr, Ctrl-C / kill handling, the run's wall time, and the message when a run stops
// before its last experiment.
#include <chrono>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>

#include "tools/cli/run_options.h"
#include "tools/cli/stop_signals.h"
#include "workloads/experiments/progress_meter.h"

namespace accsim {

class ResumableRun {
 public:
  // `what` names the command in messages ("campaign", "memory campaign", ...). Says on
  // `out` that the run resumes when a checkpoint is there.
  ResumableRun(const RunOptions& options, std::ostream& out, std::ostream& err, const std::string& what);

  // A runner's options with its checkpoint, stop flag and progress meter filled in.
  template <class RunnerOptions>
  RunnerOptions runner_options() {
    RunnerOptions o;
    o.checkpoint = checkpoint_;
    o.stop = &signals_.flag();
    o.progress = &meter_;
    return o;
  }

  // Runs `run()`, closes the progress line and keeps the wall time.
  template <class Run>
  auto timed(Run&& run) {
    const auto t0 = std::chrono::steady_clock::now();
    auto results = run();
    meter_.finish();
    seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return results;
  }

  // For a run that stopped early: says on stderr what was kept (the finished experiments,
  // or nothing when none finished) and returns the exit code (128 + the signal); nothing
  // for a complete run.
  std::optional<int> stopped(bool complete, long long done, std::size_t total) const;

  const std::string& checkpoint() const { return checkpoint_; }
  double seconds() const { return seconds_; }

 private:
  std::ostream& err_;
  std::string what_;
  std::string checkpoint_;
  ProgressMeter meter_;
  StopSignals signals_;
  double seconds_ = 0;
};

// "<fresh><noun> run here on <threads> thread(s) in <duration>", then " (<rate> <unit>)"
// when a unit is given: `fresh * per_run` over the run's seconds.
void print_ran_here(std::ostream& out, long long fresh, const char* noun, int threads, double seconds,
                    const char* unit = nullptr, double per_run = 1.0);

}  // namespace accsim
