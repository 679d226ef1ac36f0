#pragma once
// Exact samplers on top of Rng (arch/random.h), portable like it: the same draws from
// the same seed on every platform and standard library.
#include <cmath>
#include <cstdint>
#include <limits>

#include "arch/random.h"

namespace accsim {

// A generator seed for stream `stream` of a run seeded with `seed`. Rng(s) and Rng(s + 1)
// produce the same sequence shifted by one draw, so per-trial generators must never be
// seeded with consecutive integers: hash them apart with this instead.
inline std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream) {
  return splitmix64(splitmix64(seed) ^ splitmix64(stream + 0x5851f42d4c957f2dULL));
}

// A double uniform on (0, 1]: 53 random bits, never 0 (so log() is finite).
inline double uniform_open0_closed1(Rng& rng) {
  return static_cast<double>((rng.next() >> 11) + 1) * (1.0 / 9007199254740992.0);
}

// A double uniform on [0, 1) with 53 random bits.
inline double uniform_double01(Rng& rng) { return static_cast<double>(rng.next() >> 11) * (1.0 / 9007199254740992.0); }

// Uniform on [0, n), n >= 1, without modulo bias (rejection of the top partial range).
inline std::uint64_t uniform_below(Rng& rng, std::uint64_t n) {
  const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    const std::uint64_t r = rng.next();
    if (r >= threshold) return r % n;
  }
}

// Skips over independent Bernoulli(p) trials: each call returns the number of failures
// before the next success, Geometric(p) on {0, 1, 2, ...}, by inversion:
// floor(log(U) / log(1 - p)) with U uniform on (0, 1], so P(G >= k) = (1 - p)^k exactly
// (up to the 2^-53 resolution of U). log1p keeps log(1 - p) accurate for tiny p; p = 1
// gives 0 every time. Returns UINT64_MAX when the gap exceeds 2^63 (past any target),
// and always for p <= 0 (no success ever).
class GeometricSkip {
 public:
  explicit GeometricSkip(double p) : p_(p), log_q_(p >= 1.0 || p <= 0.0 ? 0.0 : std::log1p(-p)) {}
  double p() const { return p_; }
  std::uint64_t operator()(Rng& rng) const {
    if (p_ >= 1.0) return 0;
    if (!(p_ > 0.0)) return std::numeric_limits<std::uint64_t>::max();
    const double g = std::floor(std::log(uniform_open0_closed1(rng)) / log_q_);
    if (!(g < 9.2e18)) return std::numeric_limits<std::uint64_t>::max();
    return static_cast<std::uint64_t>(g);
  }

 private:
  double p_;
  double log_q_;
};

// A standard normal variate (Box-Muller; one of the pair is used).
inline double standard_normal(Rng& rng) {
  const double u = uniform_open0_closed1(rng), v = uniform_double01(rng);
  return std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586476925 * v);
}

}  // namespace accsim
