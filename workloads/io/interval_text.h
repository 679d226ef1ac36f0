#pragma once
// A value with its confidence interval as every table prints it: "v [lo, hi]". The three
// numbers are rounded to one decimal grid (to nearest), and rounding to a common grid
// keeps their order, so a value inside its interval is always printed inside it
// ("0.499 [0.499, 0.5]", never "0.499 [0.5, 0.5]"). NaN prints as "nan".
#include <string>

#include "workloads/experiments/wilson_interval.h"

namespace accsim {

// Fractions as percentages with `decimals` decimals: 0.1234 in [0.1, 0.15] -> "12.3 [10.0, 15.0]".
std::string percent_interval_text(double fraction, const Interval& ci, int decimals);

// The grid gives `significant` significant digits to the value (to the larger bound when
// the value is 0): 0.0123 in [0.00311, 0.2] -> "0.0123 [0.0031, 0.2]", 1.23e-06 -> "1.23e-06 [...]".
std::string interval_text(double value, double lo, double hi, int significant);

}  // namespace accsim
