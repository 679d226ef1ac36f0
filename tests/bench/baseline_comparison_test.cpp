#include "bench/baseline_comparison.h"

#include <gtest/gtest.h>

namespace accsim::bench {
namespace {

// The training row of issue 14: PyTorch on a busy 2-core machine, 7215 images/s on one
// thread and 272 on two (its OpenMP threads waiting for each other).
const Rates kTorch = {{1, 7215.0}, {2, 272.0}};

TEST(BaselineComparison, TakesTheBaselinesFasterConfiguration) {
  const Pick p = fastest(kTorch);
  EXPECT_EQ(p.threads, 1);
  EXPECT_DOUBLE_EQ(p.rate, 7215.0);
  const Pick q = fastest({{1, 100.0}, {2, 180.0}});
  EXPECT_EQ(q.threads, 2);
  EXPECT_DOUBLE_EQ(q.rate, 180.0);
}

TEST(BaselineComparison, PerCoreDividesEachConfigurationByItsThreads) {
  // 2 threads are faster on the wall clock, 1 thread per core.
  const Pick p = best_per_core({{1, 100.0}, {2, 180.0}});
  EXPECT_EQ(p.threads, 1);
  EXPECT_DOUBLE_EQ(p.rate, 100.0);
  const Pick q = best_per_core({{1, 100.0}, {2, 240.0}});  // superlinear (caches): 2 threads win both
  EXPECT_EQ(q.threads, 2);
  EXPECT_DOUBLE_EQ(q.rate, 120.0);
}

TEST(BaselineComparison, RatioAgainstTheBestBaselineNotItsTwoThreadCollapse) {
  const Rates accsim = {{1, 1800.0}, {2, 2110.0}};
  const Ratio r = compare(accsim, kTorch);
  EXPECT_DOUBLE_EQ(r.wall, 2110.0 / 7215.0);  // 0.29x, not 2110 / 272 = 7.8x
  EXPECT_DOUBLE_EQ(r.per_core, 1800.0 / 7215.0);
}

TEST(BaselineComparison, NoRatioWhenASideDidNotRun) {
  EXPECT_EQ(compare({}, kTorch).wall, 0.0);
  EXPECT_EQ(compare({{1, 5.0}}, {}).per_core, 0.0);
  EXPECT_EQ(fastest({}).threads, 0);
}

TEST(BaselineComparison, ReadsTheTimingLinesOfTheTorchScripts) {
  BaselineLine l;
  ASSERT_TRUE(parse_baseline_line("threads=2 rate=272.5 cpu_rate=805.0 seconds=2.001 work=576\n", l));
  EXPECT_EQ(l.threads, 2);
  EXPECT_DOUBLE_EQ(l.rate, 272.5);
  EXPECT_DOUBLE_EQ(l.cpu_rate, 805.0);
  // The scripts' other lines, and the old one-configuration format, are not results.
  EXPECT_FALSE(parse_baseline_line("LeNet-5 training steps, batch 64", l));
  EXPECT_FALSE(parse_baseline_line("threads=1 images_per_s=5862.0", l));
  EXPECT_FALSE(parse_baseline_line("threads=0 rate=1 cpu_rate=1", l));
  EXPECT_EQ(l.threads, 2);  // unchanged by a line that is not a result
}

}  // namespace
}  // namespace accsim::bench
