#pragma once
// Progress of a long run on stderr: a bar with an ETA redrawn in place when stderr is a
// terminal, one line per 10% otherwise (logs), or nothing.
#include <chrono>
#include <ostream>
#include <string>

namespace accsim {

enum class ProgressStyle { none, lines, bar };

class ProgressMeter {
 public:
  ProgressMeter(std::ostream& out, ProgressStyle style, std::string what);
  // `done` of `total` items; the first call is the baseline of the rate (a resumed run
  // starts with done > 0).
  void update(long long done, long long total);
  void finish();  // ends the bar's line

  static std::string duration(double seconds);  // "42 s", "3 min 05 s", "2 h 07 min"

 private:
  std::ostream& out_;
  ProgressStyle style_;
  std::string what_;
  std::chrono::steady_clock::time_point start_;
  long long baseline_ = -1;
  long long last_tenth_ = -1;
  bool drawn_ = false;
};

// bar on a terminal, lines otherwise; `quiet` gives none.
ProgressStyle progress_style_for_stderr(bool quiet);

}  // namespace accsim
