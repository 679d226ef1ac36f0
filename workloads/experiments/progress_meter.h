#pragma once
// Progress of a long run on stderr, the one meter of every long command (train, dlrm,
// sweep, campaign, pvf): a bar with the whole run's ETA redrawn in place when stderr is
// a terminal, one line per 10% otherwise (logs), or nothing. It is told where a run
// starts, so only a run that restored work from a checkpoint says "resuming at k/N",
// and its ETA counts only the work done since the start. No line is wider than the
// terminal (TIOCGWINSZ on stderr, else $COLUMNS, else 80 columns).
#include <chrono>
#include <ostream>
#include <string>
#include <vector>

namespace accsim {

enum class ProgressStyle { none, lines, bar };

class ProgressMeter {
 public:
  // `width`: columns a line may use; 0 = the terminal's (terminal_columns()).
  ProgressMeter(std::ostream& out, ProgressStyle style, std::string what, int width = 0);

  // Begins a run of `total` items of which `restored` were loaded from a checkpoint
  // (0 for a fresh run). Restarts the clock of the ETA.
  void start(long long restored, long long total);
  // `done` items of the run are finished, the restored ones included (start first).
  void update(long long done);
  // Wipes a drawn bar, so that other output can go to the terminal; the next update
  // redraws it.
  void clear();
  void finish();  // ends the bar's line

  static std::string duration(double seconds);  // "42 s", "3 min 05 s", "2 h 07 min"

 private:
  std::string bar_line(long long done, double elapsed, const std::string& eta) const;
  // The first of `forms` (most detailed first) that fits the width; else the last, cut.
  std::string fit(const std::vector<std::string>& forms) const;

  std::ostream& out_;
  ProgressStyle style_;
  std::string what_;
  int width_;
  std::chrono::steady_clock::time_point start_;
  long long restored_ = 0, total_ = 0;
  long long last_tenth_ = -1;
  std::size_t drawn_ = 0;  // characters of the bar on screen (0: none)
};

// bar on a terminal, lines otherwise; `quiet` gives none.
ProgressStyle progress_style_for_stderr(bool quiet);

// Columns of the terminal on stderr (TIOCGWINSZ), else $COLUMNS, else 80.
int terminal_columns();

}  // namespace accsim
