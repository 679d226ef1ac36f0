#include "workloads/io/interval_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace accsim {

namespace {

// Grids finer or coarser than this would overflow 10^decimals; such values print as they are.
constexpr int kMaxDecimals = 300;

double scaled_to_grid(double x, int decimals) { return std::nearbyint(x * std::pow(10.0, decimals)); }

std::string fixed_text(double x, int decimals) {
  const double n = scaled_to_grid(x, decimals);
  if (!std::isfinite(n)) return fmt::format("{}", x);
  return fmt::format("{:.{}f}", n / std::pow(10.0, decimals) + 0.0, std::max(decimals, 0));  // + 0.0: no "-0.0"
}

// The grid value as few significant digits as it holds (trailing zeros dropped, as %g).
std::string grid_text(double x, int decimals) {
  if (!std::isfinite(x) || std::abs(decimals) > kMaxDecimals) return fmt::format("{}", x);
  const double n = scaled_to_grid(x, decimals);
  if (!std::isfinite(n)) return fmt::format("{}", x);  // a bound far outside the value's grid
  if (n == 0.0) return "0";
  const int digits = static_cast<int>(std::floor(std::log10(std::abs(n)))) + 1 + std::max(0, -decimals);
  return fmt::format("{:.{}g}", n / std::pow(10.0, decimals), digits);
}

std::string bracketed(const std::string& v, const std::string& lo, const std::string& hi) {
  return v + " [" + lo + ", " + hi + "]";
}

}  // namespace

std::string percent_interval_text(double fraction, const Interval& ci, int decimals) {
  return bracketed(fixed_text(100.0 * fraction, decimals), fixed_text(100.0 * ci.lo, decimals),
                   fixed_text(100.0 * ci.hi, decimals));
}

std::string interval_text(double value, double lo, double hi, int significant) {
  double magnitude = std::abs(value);
  if (magnitude == 0.0 || !std::isfinite(magnitude)) magnitude = std::max(std::abs(lo), std::abs(hi));
  const int decimals = magnitude > 0.0 && std::isfinite(magnitude)
                           ? significant - 1 - static_cast<int>(std::floor(std::log10(magnitude)))
                           : significant - 1;
  return bracketed(grid_text(value, decimals), grid_text(lo, decimals), grid_text(hi, decimals));
}

}  // namespace accsim
