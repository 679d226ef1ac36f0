#include "workloads/experiments/progress_meter.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace accsim {

namespace {

constexpr int kMaxBar = 30;  // a longer bar tells no more
constexpr int kMinBar = 10;  // a shorter one tells nothing: drop it

std::string percent_text(long long done, long long total) {  // " 42%"
  char buf[16];
  std::snprintf(buf, sizeof buf, " %3d%%", static_cast<int>(100.0 * static_cast<double>(done) / static_cast<double>(total)));
  return buf;
}

// The widest of a run's figures (under an hour), so that the bar keeps its width and
// form from one redraw to the next.
const std::string kWidestTime = "59 min 59 s";
const std::string kWidestEta = "ETA " + kWidestTime;

}  // namespace

ProgressMeter::ProgressMeter(std::ostream& out, ProgressStyle style, std::string what, int width)
    : out_(out),
      style_(style),
      what_(std::move(what)),
      width_(width > 0 ? width : terminal_columns()),
      start_(std::chrono::steady_clock::now()) {}

std::string ProgressMeter::duration(double seconds) {
  char buf[48];
  const long long s = static_cast<long long>(seconds + 0.5);
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%lld s", s);
  else if (s < 3600)
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", s / 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", s / 3600, (s % 3600) / 60);
  return buf;
}

void ProgressMeter::start(long long restored, long long total) {
  restored_ = std::max(0LL, restored);
  total_ = total;
  start_ = std::chrono::steady_clock::now();
  if (style_ == ProgressStyle::none || total_ <= 0) return;
  last_tenth_ = restored_ * 10 / total_;
  if (restored_ > 0 && restored_ < total_) {
    clear();
    out_ << fit({what_ + ": resuming at " + std::to_string(restored_) + "/" + std::to_string(total_)}) << "\n"
         << std::flush;
  }
  if (style_ == ProgressStyle::bar) update(restored_);
}

// The widest form whose widest figures fit: the bar with every figure, then fewer
// figures, then no bar.
std::string ProgressMeter::bar_line(long long done, double elapsed, const std::string& eta) const {
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  const std::string total = std::to_string(total_);
  const auto forms = [&](const std::string& count, const std::string& time, const std::string& e) {
    const std::string percent = percent_text(done, total_);
    return std::vector<std::string>{percent + " " + count + ", " + time + " elapsed, " + e,
                                    percent + " " + count + ", " + e, percent + ", " + e};
  };
  const std::vector<std::string> stats = forms(std::to_string(done) + "/" + total, duration(elapsed), eta);
  const std::vector<std::string> widest = forms(total + "/" + total, kWidestTime, kWidestEta);
  const int columns = width_ - 1;  // the last column would wrap on some terminals
  for (std::size_t f = 0; f < stats.size(); ++f) {
    const int room = columns - static_cast<int>(what_.size() + 3 + std::max(widest[f].size(), stats[f].size()));
    if (room < kMinBar) continue;
    const int width = std::min(kMaxBar, room);
    std::string bar(static_cast<std::size_t>(fraction * width), '#');
    bar.resize(static_cast<std::size_t>(width), '.');
    return what_ + " [" + bar + "]" + stats[f];
  }
  return fit({what_ + stats[1], what_ + stats[2]});
}

std::string ProgressMeter::fit(const std::vector<std::string>& forms) const {
  const auto columns = static_cast<std::size_t>(std::max(1, width_ - 1));
  for (const std::string& line : forms)
    if (line.size() <= columns) return line;
  return forms.back().substr(0, columns);
}

void ProgressMeter::update(long long done) {
  if (style_ == ProgressStyle::none || total_ <= 0) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const long long fresh = done - restored_;
  std::string eta = "ETA --";
  if (done >= total_)
    eta = "done";
  else if (fresh > 0)
    eta = "ETA " + duration(elapsed * static_cast<double>(total_ - done) / static_cast<double>(fresh));
  if (style_ == ProgressStyle::bar) {
    const std::string line = bar_line(done, elapsed, eta);
    out_ << "\r" << line << std::string(drawn_ > line.size() ? drawn_ - line.size() : 0, ' ') << std::flush;
    drawn_ = std::max<std::size_t>(line.size(), 1);
    return;
  }
  const long long tenth = done * 10 / total_;
  if (tenth <= last_tenth_) return;
  last_tenth_ = tenth;
  const std::string head = what_ + ":" + percent_text(done, total_);
  const std::string count = " (" + std::to_string(done) + "/" + std::to_string(total_) + ")";
  out_ << fit({head + count + ", " + duration(elapsed) + " elapsed, " + eta, head + count + ", " + eta, head + ", " + eta})
       << "\n"
       << std::flush;
}

void ProgressMeter::clear() {
  if (drawn_ == 0) return;
  out_ << "\r" << std::string(drawn_, ' ') << "\r" << std::flush;
  drawn_ = 0;
}

void ProgressMeter::finish() {
  if (drawn_ > 0) out_ << "\n" << std::flush;
  drawn_ = 0;
}

ProgressStyle progress_style_for_stderr(bool quiet) {
  if (quiet) return ProgressStyle::none;
  return ::isatty(STDERR_FILENO) ? ProgressStyle::bar : ProgressStyle::lines;
}

int terminal_columns() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* columns = std::getenv("COLUMNS")) {
    const int c = std::atoi(columns);
    if (c > 0) return c;
  }
  return 80;
}

}  // namespace accsim
