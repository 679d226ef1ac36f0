#include "workloads/progress_meter.h"

#include <unistd.h>

#include <cstdio>

namespace accsim {

ProgressMeter::ProgressMeter(std::ostream& out, ProgressStyle style, std::string what)
    : out_(out), style_(style), what_(std::move(what)), start_(std::chrono::steady_clock::now()) {}

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

void ProgressMeter::update(long long done, long long total) {
  if (style_ == ProgressStyle::none || total <= 0) return;
  if (baseline_ < 0) {
    baseline_ = done;
    start_ = std::chrono::steady_clock::now();
  }
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const long long fresh = done - baseline_;
  std::string eta = "ETA --";
  if (done >= total)
    eta = "done";
  else if (fresh > 0)
    eta = "ETA " + duration(elapsed * static_cast<double>(total - done) / static_cast<double>(fresh));
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  char line[160];
  if (style_ == ProgressStyle::bar) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::snprintf(line, sizeof line, "\r%s [%s] %3d%% %lld/%lld, %s elapsed, %s   ", what_.c_str(), bar.c_str(),
                  static_cast<int>(100.0 * fraction), done, total, duration(elapsed).c_str(), eta.c_str());
    out_ << line << std::flush;
    drawn_ = true;
    return;
  }
  const long long tenth = done * 10 / total;
  if (last_tenth_ < 0) {  // the baseline call
    last_tenth_ = tenth;
    if (done > 0 && done < total) {
      std::snprintf(line, sizeof line, "%s: resuming at %lld/%lld\n", what_.c_str(), done, total);
      out_ << line << std::flush;
    }
    return;
  }
  if (tenth <= last_tenth_) return;
  last_tenth_ = tenth;
  std::snprintf(line, sizeof line, "%s: %3d%% (%lld/%lld), %s elapsed, %s\n", what_.c_str(),
                static_cast<int>(100.0 * fraction), done, total, duration(elapsed).c_str(), eta.c_str());
  out_ << line << std::flush;
}

void ProgressMeter::finish() {
  if (drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

ProgressStyle progress_style_for_stderr(bool quiet) {
  if (quiet) return ProgressStyle::none;
  return ::isatty(STDERR_FILENO) ? ProgressStyle::bar : ProgressStyle::lines;
}

}  // namespace accsim
