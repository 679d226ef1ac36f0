#include "workloads/progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace accsim {

ProgressBar::ProgressBar(std::ostream& out, ProgressStyle style, std::string label, long long total)
    : out_(out), style_(style), label_(std::move(label)), total_(total > 0 ? total : 1),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressBar::update(long long done) {
  if (style_ == ProgressStyle::none) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = static_cast<double>(done) / static_cast<double>(total_);
  const double eta = done > 0 ? elapsed * (1.0 / fraction - 1.0) : 0.0;
  char text[160];
  if (style_ == ProgressStyle::lines) {
    if (elapsed < 2.0) return;  // short runs need no progress report
    const int decile = static_cast<int>(fraction * 10.0);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::snprintf(text, sizeof text, "%s: %lld/%lld (%d%%), %.0f s elapsed, ETA %.0f s\n", label_.c_str(), done,
                  total_, decile * 10, elapsed, eta);
    out_ << text << std::flush;
    return;
  }
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  const int width = 30, filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(width, '.');
  std::snprintf(text, sizeof text, "\r%s [%s] %lld/%lld %3.0f%% ETA %5.0f s ", label_.c_str(), bar.c_str(), done,
                total_, 100.0 * fraction, eta);
  out_ << text << std::flush;
  open_ = true;
}

void ProgressBar::finish() {
  if (open_) out_ << "\n" << std::flush;
  open_ = false;
}

ProgressStyle progress_style_for_stderr(bool quiet) {
  if (quiet) return ProgressStyle::none;
  return ::isatty(STDERR_FILENO) ? ProgressStyle::bar : ProgressStyle::lines;
}

}  // namespace accsim
