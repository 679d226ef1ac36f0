#pragma once
// Progress of a long run on stderr: a bar with rate and ETA redrawn in place when the
// stream is a terminal, otherwise one line per 10% (so logs stay short), or nothing.
#include <chrono>
#include <ostream>
#include <string>

namespace accsim {

enum class ProgressStyle { bar, lines, none };

class ProgressBar {
 public:
  ProgressBar(std::ostream& out, ProgressStyle style, std::string label, long long total);
  void update(long long done);  // cheap when nothing needs drawing
  void finish();                // ends the bar's line

 private:
  std::ostream& out_;
  ProgressStyle style_;
  std::string label_;
  long long total_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool open_ = false;
};

// bar on a terminal, lines otherwise; `quiet` gives none.
ProgressStyle progress_style_for_stderr(bool quiet);

}  // namespace accsim
