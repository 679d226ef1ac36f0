#pragma once
// Waiting on another thread in tests without hanging the suite when it never comes.
#include <atomic>
#include <chrono>

namespace accsim::testing {

// Spins until `flag` is set, at most 10 s (a lane that ran its tasks inside post(), or a
// thread that never started, then fails the test instead of hanging it).
inline bool await(const std::atomic<bool>& flag) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!flag)
    if (std::chrono::steady_clock::now() > deadline) return false;
  return true;
}

}  // namespace accsim::testing
