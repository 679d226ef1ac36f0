#pragma once
// The Wilson score interval of a binomial proportion: the confidence interval that
// campaigns report for SDC and crash rates. Unlike the normal ("Wald") interval it stays
// inside [0, 1] and is sensible for 0 or n successes and small n.
namespace accsim {

struct Interval {
  double lo = 0.0, hi = 1.0;
};

// z of a two-sided 95% interval: the 0.975 quantile of the standard normal.
inline constexpr double kZ95 = 1.959963984540054;

// Interval for `successes` out of `trials` (0 <= successes <= trials, else
// std::invalid_argument); trials == 0 gives [0, 1] (nothing is known).
Interval wilson_interval(long long successes, long long trials, double z = kZ95);

}  // namespace accsim
