#pragma once
// A small, portable, seeded generator: identical streams on every platform and
// standard library (std:: distributions are not), so results depend only on the seed.
#include <cstdint>

namespace accsim {

// The splitmix64 finaliser: a well-mixed 64-bit hash of x.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return splitmix64(state_++ * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL); }
  float uniform01() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }  // [0, 1)
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform01(); }
  std::uint64_t below(std::uint64_t n) { return next() % n; }  // n small: bias negligible

 private:
  std::uint64_t state_;
};

}  // namespace accsim
