#pragma once
// SIGINT and SIGTERM stop a long campaign cleanly: while a StopSignals lives they set
// stop_requested() (the runner checkpoints and returns) instead of killing the process;
// the previous handlers come back after.
#include <atomic>

namespace accsim {

class StopSignals {
 public:
  StopSignals();
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  const std::atomic<bool>& flag() const;
  bool stop_requested() const { return flag().load(); }
  // The process exit code after a stop: 128 + the signal (SIGINT when none arrived).
  int exit_code() const;

 private:
  void (*old_int_)(int);
  void (*old_term_)(int);
};

}  // namespace accsim
