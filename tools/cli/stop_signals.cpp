#include "tools/cli/stop_signals.h"

#include <csignal>

namespace accsim {

namespace {

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
}

}  // namespace

StopSignals::StopSignals() {
  g_stop = false;
  g_signal = 0;
  old_int_ = std::signal(SIGINT, on_stop_signal);
  old_term_ = std::signal(SIGTERM, on_stop_signal);
}

StopSignals::~StopSignals() {
  std::signal(SIGINT, old_int_);
  std::signal(SIGTERM, old_term_);
}

const std::atomic<bool>& StopSignals::flag() const { return g_stop; }

int StopSignals::exit_code() const { return 128 + (g_signal != 0 ? static_cast<int>(g_signal) : SIGINT); }

}  // namespace accsim
