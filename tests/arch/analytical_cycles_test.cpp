#include "arch/analytical_cycles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <stdexcept>

#include "arch/job_timing.h"
#include "arch/number_format.h"
#include "test_util.h"

namespace accsim {
namespace {

long long ceil_div(long long a, long long b) { return (a + b - 1) / b; }

// A random layer: a convolution (with padding and stride) or a fully-connected layer whose
// batch spreads the output positions over one to a few stripes.
ConvShape random_shape(Rng& rng) {
  ConvShape s;
  if (rng.below(3) == 0) {
    s.n = 1 + static_cast<int>(rng.below(80));
    s.c = 1 + static_cast<int>(rng.below(300));
    s.k = 1 + static_cast<int>(rng.below(300));
    return s;
  }
  s.n = 1 + static_cast<int>(rng.below(2));
  s.c = 1 + static_cast<int>(rng.below(160));
  s.k = 1 + static_cast<int>(rng.below(160));
  s.r = 1 + static_cast<int>(rng.below(5));
  s.s = 1 + static_cast<int>(rng.below(5));
  s.stride = 1 + static_cast<int>(rng.below(3));
  s.pad = static_cast<int>(rng.below(3));
  s.h = std::max(1, s.r - 2 * s.pad) + static_cast<int>(rng.below(20));
  s.w = std::max(1, s.s - 2 * s.pad) + static_cast<int>(rng.below(20));
  return s;
}

// The first (largest) weight load and the last tile's length, from the shape alone.
long long first_load(const ConvShape& s, const ArrayConfig& a) {
  return ceil_div(static_cast<long long>(std::min(s.c, a.atomic_c)) * std::min(s.k, a.atomic_k) *
                      bytes_per_element(a.datatype),
                  a.weight_load_bytes_per_cycle);
}
long long last_tile(const ConvShape& s, const ArrayConfig& a) {
  const long long M = s.pixels(), T = ceil_div(M, a.stripe_length);
  return M - (T - 1) * a.stripe_length;
}

TEST(AnalyticalCycles, TermsAreComputePlusExposedFillPlusPipelineOnAHandCountedJob) {
  ArrayConfig a = testing::preset("small");  // 8 x 8, stripes of 16, 8 fp32 weights per cycle
  // C = 9 (blocks of 8 and 1 rows), K = 8, 3x3, 4x4 outputs: one tile of 16, loads 8 and 1.
  const ConvShape s{1, 9, 6, 6, 8, 3, 3, 1, 0};
  const AnalyticalCycles e = analytical_cycles(s, a);
  EXPECT_EQ(e.compute, 1 * 2 * 9 * 16);
  EXPECT_EQ(e.stall, 8);  // only the first load: every other load hides behind a 16-cycle stripe
  EXPECT_EQ(e.pipeline, 7);
  EXPECT_EQ(e.cycles, 288 + 8 + 7);
  EXPECT_EQ(e.cycles, closed_form_timing(s, a).cycles);

  a.weight_load_bytes_per_cycle = 4;  // loads of 64 and 8 cycles: the 8-row block stalls 48 per stripe
  const AnalyticalCycles slow = analytical_cycles(s, a);
  EXPECT_EQ(slow.stall, 64 + 8 * 48);
  EXPECT_EQ(slow.cycles, closed_form_timing(s, a).cycles);
}

TEST(AnalyticalCycles, RejectsShapesThatNoArrayCanRun) {
  EXPECT_THROW(analytical_cycles(ConvShape{1, 0, 4, 4, 1, 1, 1, 1, 0}, testing::preset("small")),
               std::invalid_argument);
}

// The cross-check on the two presets. The estimate's one approximation (docs/cycle_model.md,
// "Analytical cross-check") is that the first stripe of a tile is assumed to follow a stripe
// of its own length. Therefore:
//  - when every load hides behind the shortest stripe (W0 <= L_T) the two must be equal:
//    the bound is 0 cycles (ratio exactly 1);
//  - otherwise the estimate may exceed the cycle model, by at most one weight load W0 and
//    never fall below it. On the presets W0 <= stripe_length / 2 (8 of 16, 16 of 32) and a
//    job with T > 1 tiles takes at least L + 1 + W0 + 7 cycles, so the ratio is at most
//    1 + 8/32 = 1.25 (small) and 1 + 16/56 = 1.29 (large); it tends to 1 as jobs grow.
TEST(AnalyticalCycles, OnBothPresetsEqualsClosedFormWhenLoadsHideAndExceedsItByAtMostOneLoadOtherwise) {
  for (const char* name : {"small", "large"}) {
    const ArrayConfig a = testing::preset(name);
    const double ratio_bound = std::string(name) == "small" ? 1.25 : 1.29;
    Rng rng(std::string(name) == "small" ? 61 : 62);
    int hidden = 0, stalled = 0;
    double lo = 1e9, hi = 0;
    for (int i = 0; i < 4000; ++i) {
      const ConvShape s = random_shape(rng);
      const JobTiming exact = closed_form_timing(s, a);
      const AnalyticalCycles est = analytical_cycles(s, a);
      ASSERT_EQ(est.compute, exact.atomic_ops);
      const double ratio = static_cast<double>(est.cycles) / static_cast<double>(exact.cycles);
      const long long w0 = first_load(s, a);
      if (w0 <= last_tile(s, a)) {
        ++hidden;
        ASSERT_EQ(est.cycles, exact.cycles) << name << " n=" << s.n << " c=" << s.c << " k=" << s.k;
      } else {
        ++stalled;
        ASSERT_GE(est.cycles, exact.cycles) << name << " n=" << s.n << " c=" << s.c << " k=" << s.k;
        ASSERT_LE(est.cycles - exact.cycles, w0) << name << " n=" << s.n << " c=" << s.c << " k=" << s.k;
        ASSERT_LE(ratio, ratio_bound);
        lo = std::min(lo, ratio);
        hi = std::max(hi, ratio);
      }
    }
    EXPECT_GT(hidden, 1000) << name;  // both regimes are well covered
    EXPECT_GT(stalled, 100) << name;
    std::cout << name << ": " << hidden << " jobs with hidden loads (ratio 1), " << stalled
              << " with exposed loads, ratio analytical / closed form in [" << lo << ", " << hi << "]\n";
  }
}

// Slow weight loads (loads longer than stripes everywhere) and short stripes on the preset
// arrays: the same one-load bound holds in every regime, not only the presets'.
TEST(AnalyticalCycles, StaysWithinOneWeightLoadAboveClosedFormForAnyBandwidthAndStripeLength) {
  Rng rng(63);
  for (int i = 0; i < 6000; ++i) {
    ArrayConfig a = testing::preset(i % 2 ? "large" : "small");
    a.weight_load_bytes_per_cycle = 1 + static_cast<int>(rng.below(700));
    a.stripe_length = 1 + static_cast<int>(rng.below(40));
    a.mac_pipeline_depth = static_cast<int>(rng.below(10));
    const ConvShape s = random_shape(rng);
    const long long exact = closed_form_timing(s, a).cycles, est = analytical_cycles(s, a).cycles;
    ASSERT_GE(est, exact) << "case " << i;
    ASSERT_LE(est - exact, first_load(s, a)) << "case " << i;
    if (first_load(s, a) <= last_tile(s, a)) {
      ASSERT_EQ(est, exact) << "case " << i;
    }
  }
}

}  // namespace
}  // namespace accsim
