#include "tools/cli/resumable_run.h"

#include <filesystem>
#include <iomanip>
#include <iostream>

#include "workloads/experiments/run_checkpoint.h"

namespace accsim {

namespace {

// Progress only on the process's own stderr (a caller's stream is a test capturing it).
ProgressStyle style_for(std::ostream& err, bool quiet) {
  return &err == &std::cerr ? progress_style_for_stderr(quiet) : ProgressStyle::none;
}

}  // namespace

ResumableRun::ResumableRun(const RunOptions& options, std::ostream& out, std::ostream& err, const std::string& what)
    : err_(err),
      what_(what),
      checkpoint_(checkpoint_path(options.out_file)),
      meter_(err, style_for(err, options.quiet), "accsim: " + what) {
  if (std::filesystem::exists(checkpoint_)) out << "resuming from " << checkpoint_ << "\n";
}

std::optional<int> ResumableRun::stopped(bool complete, long long done, std::size_t total) const {
  if (complete) return std::nullopt;
  if (!std::filesystem::exists(checkpoint_))
    err_ << "accsim: " << what_ << " stopped before any experiment finished; nothing was kept\n";
  else
    err_ << "accsim: " << what_ << " stopped after " << done << " of " << total << " experiments; they are kept in "
         << checkpoint_ << ": rerun the same command to resume\n";
  return signals_.exit_code();
}

void print_ran_here(std::ostream& out, long long fresh, const char* noun, int threads, double seconds,
                    const char* unit, double per_run) {
  out << fresh << noun << " run here on " << threads << " thread" << (threads > 1 ? "s" : "") << " in "
      << ProgressMeter::duration(seconds);
  if (unit && fresh > 0 && seconds > 0)
    out << " (" << std::fixed << std::setprecision(0) << static_cast<double>(fresh) * per_run / seconds << " "
        << unit << ")" << std::defaultfloat;
}

}  // namespace accsim
