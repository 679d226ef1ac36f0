#include "workloads/io/interval_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "arch/random.h"

namespace accsim {
namespace {

struct Printed {
  double v = 0, lo = 0, hi = 0;
};

// The three numbers of "v [lo, hi]" as printed.
Printed parse(const std::string& text) {
  Printed p;
  char* end = nullptr;
  p.v = std::strtod(text.c_str(), &end);
  EXPECT_EQ(std::string(end, 2), " [") << text;
  p.lo = std::strtod(end + 2, &end);
  EXPECT_EQ(std::string(end, 2), ", ") << text;
  p.hi = std::strtod(end + 2, &end);
  EXPECT_EQ(std::string(end), "]") << text;
  return p;
}

TEST(IntervalText, ThePrintedValueLiesInsideThePrintedInterval) {
  // dlrm printed "0.499 [0.5, 0.5]" here: value to 3 digits, bounds to 2.
  EXPECT_EQ(interval_text(0.49901, 0.4986, 0.4996, 3), "0.499 [0.499, 0.5]");
  EXPECT_EQ(interval_text(0.0123, 0.00311, 0.2, 3), "0.0123 [0.0031, 0.2]");
  EXPECT_EQ(interval_text(1.234e-6, 9.8e-7, 1.5e-6, 3), "1.23e-06 [9.8e-07, 1.5e-06]");
  EXPECT_EQ(interval_text(1234.5, 1000, 1500.2, 3), "1230 [1000, 1500]");
  Rng rng(11);
  for (int i = 0; i < 5000; ++i) {
    const double scale = std::pow(10.0, static_cast<int>(rng.below(20)) - 12);
    double a = rng.uniform(0.0f, 1.0f) * scale, b = rng.uniform(0.0f, 1.0f) * scale, c = rng.uniform(0.0f, 1.0f) * scale;
    if (a > b) std::swap(a, b);
    if (b > c) std::swap(b, c);
    if (a > b) std::swap(a, b);
    const std::string text = interval_text(b, a, c, 1 + static_cast<int>(rng.below(4)));
    const Printed p = parse(text);
    ASSERT_LE(p.lo, p.v) << text << " for " << b << " [" << a << ", " << c << "]";
    ASSERT_LE(p.v, p.hi) << text << " for " << b << " [" << a << ", " << c << "]";
  }
}

TEST(IntervalText, PercentagesShareTheirDecimals) {
  EXPECT_EQ(percent_interval_text(0.1234, {0.1, 0.15}, 1), "12.3 [10.0, 15.0]");
  EXPECT_EQ(percent_interval_text(0.0, {0.0, 0.0308}, 2), "0.00 [0.00, 3.08]");
  EXPECT_EQ(percent_interval_text(0.99996, {0.99995, 1.0}, 2), "100.00 [100.00, 100.00]");
  Rng rng(5);
  for (int i = 0; i < 5000; ++i) {
    double a = rng.uniform(0.0f, 1.0f), b = rng.uniform(0.0f, 1.0f), c = rng.uniform(0.0f, 1.0f);
    if (a > b) std::swap(a, b);
    if (b > c) std::swap(b, c);
    if (a > b) std::swap(a, b);
    const std::string text = percent_interval_text(b, {a, c}, static_cast<int>(rng.below(4)));
    const Printed p = parse(text);
    ASSERT_LE(p.lo, p.v) << text;
    ASSERT_LE(p.v, p.hi) << text;
  }
}

TEST(IntervalText, NanAndBoundsOffTheGridPrintAsTheyAre) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(interval_text(0.5, nan, nan, 3), "0.5 [nan, nan]");
  EXPECT_EQ(interval_text(1e-300, 0, 1e300, 3), "1e-300 [0, 1e+300]");
  EXPECT_EQ(interval_text(1, 0, inf, 3), "1 [0, inf]");
  EXPECT_EQ(percent_interval_text(nan, {0, 1}, 1), "nan [0.0, 100.0]");
}

}  // namespace
}  // namespace accsim
