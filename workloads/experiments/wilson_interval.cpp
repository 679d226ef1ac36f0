#include "workloads/experiments/wilson_interval.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace accsim {

Interval wilson_interval(long long successes, long long trials, double z) {
  if (trials < 0 || successes < 0 || successes > trials)
    throw std::invalid_argument("wilson_interval: " + std::to_string(successes) + " successes of " +
                                std::to_string(trials) + " trials");
  if (!(z > 0.0) || !std::isfinite(z)) throw std::invalid_argument("wilson_interval: z must be positive and finite");
  if (trials == 0) return {0.0, 1.0};
  const double n = static_cast<double>(trials), p = static_cast<double>(successes) / n, z2 = z * z;
  const double denominator = 1.0 + z2 / n;
  const double centre = (p + z2 / (2.0 * n)) / denominator;
  const double half = z / denominator * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
  // The exact bounds at 0 and n successes are 0 and 1; rounding must not move them.
  Interval i{std::max(0.0, centre - half), std::min(1.0, centre + half)};
  if (successes == 0) i.lo = 0.0;
  if (successes == trials) i.hi = 1.0;
  return i;
}

}  // namespace accsim
