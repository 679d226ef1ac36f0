#pragma once
// Waiting without sleeping, for a bounded time: a thread that expects the other thread of
// a pair to deliver within microseconds spins with a pause instruction instead of a
// condition variable's sleep and wake-up (a futex round trip of tens of microseconds on a
// virtual machine). The bound caps what a peer that is not running (descheduled under
// load) costs: the spinner then sleeps as before.
#include <atomic>
#include <chrono>

namespace accsim {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Spins until ready() holds, for at most `limit` and while `go` stays true; returns ready().
template <class Ready>
bool spin_until(const Ready& ready, std::chrono::nanoseconds limit, const std::atomic<bool>& go) {
  if (limit.count() <= 0 || !go.load(std::memory_order_relaxed)) return ready();
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      if (ready()) return true;
      cpu_relax();
    }
    if (!go.load(std::memory_order_relaxed) || std::chrono::steady_clock::now() >= end) return ready();
  }
}

}  // namespace accsim
