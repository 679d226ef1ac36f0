// The Wilson score interval against published values (Newcombe 1998, Table I, method 3).
#include "workloads/experiments/wilson_interval.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace accsim {
namespace {

TEST(WilsonInterval, MatchesNewcombesPublishedIntervals) {
  struct Case {
    long long k, n;
    double lo, hi;  // rounded to 4 decimals in the paper
  };
  for (const Case c : {Case{81, 263, 0.2553, 0.3662}, Case{15, 148, 0.0624, 0.1605}, Case{0, 20, 0.0, 0.1611},
                       Case{1, 29, 0.0061, 0.1718}}) {
    const Interval i = wilson_interval(c.k, c.n);
    EXPECT_NEAR(i.lo, c.lo, 5e-5) << c.k << "/" << c.n;
    EXPECT_NEAR(i.hi, c.hi, 5e-5) << c.k << "/" << c.n;
  }
}

TEST(WilsonInterval, HalfOfTenIsSymmetricAroundOneHalf) {
  const Interval i = wilson_interval(5, 10);
  EXPECT_NEAR(i.lo, 0.236593090512564, 1e-12);
  EXPECT_NEAR(i.hi, 0.763406909487436, 1e-12);
}

TEST(WilsonInterval, NoneAndAllSuccessesReachTheBoundsExactly) {
  EXPECT_EQ(wilson_interval(0, 10).lo, 0.0);
  EXPECT_NEAR(wilson_interval(0, 10).hi, 0.2775327998628892, 1e-12);
  EXPECT_EQ(wilson_interval(10, 10).hi, 1.0);
  EXPECT_NEAR(wilson_interval(10, 10).lo, 0.7224672001371107, 1e-12);
}

TEST(WilsonInterval, ItNarrowsAsTrialsGrowAndAlwaysHoldsTheEstimate) {
  double width = 1.0;
  for (long long n : {10, 100, 1000, 10000}) {
    const Interval i = wilson_interval(n / 5, n);
    EXPECT_LE(i.lo, 0.2);
    EXPECT_GE(i.hi, 0.2);
    EXPECT_LT(i.hi - i.lo, width) << n;
    width = i.hi - i.lo;
  }
}

TEST(WilsonInterval, NoTrialsGiveTheWholeRangeAndImpossibleCountsThrow) {
  EXPECT_EQ(wilson_interval(0, 0).lo, 0.0);
  EXPECT_EQ(wilson_interval(0, 0).hi, 1.0);
  EXPECT_THROW(wilson_interval(3, 2), std::invalid_argument);
  EXPECT_THROW(wilson_interval(-1, 2), std::invalid_argument);
  EXPECT_THROW(wilson_interval(1, 2, 0.0), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
