// The LLM bit-flip study's NaN analysis (section 6.1) against accsim's BER injector.
//
// The study: under BER p, an fp32 parameter becomes NaN with probability
//   q = p (1-p)^7 (1 - 2^-23)
// (one exponent bit flips to complete 11111111, the other seven do not, the mantissa
// does not end up all zero), and a model of n parameters holds a NaN with probability
// 1 - (1 - q)^n. Its derivation assumes the exponent field is 01111111, which is true of
// |x| in [1, 2), NOT of x in (0, 1) as the paper states: there the exponent field is at
// most 01111110 and at least two bits must flip (q = O(p^2)). So the tests check:
//   1. parameters in [1, 2) with uniform random mantissas: the closed form holds;
//   2. parameters uniform in (0, 1): the exact per-element probability holds and the
//      closed form overestimates by orders of magnitude;
//   3. the model-level 1 - (1 - q)^n over many injections into a small model.
// Each compares a count with a 99.9% interval (Clopper-Pearson for binomial counts; for
// the sum of unequal per-element probabilities, the normal approximation of the
// Poisson-binomial, mean +- 3.29 sd, the count being in the hundreds) from a fixed seed,
// so a wrong injector (bits not independent, p wrong, positions skipped) fails it.
#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <cstdio>

#include "arch/number_format.h"
#include "arch/random.h"
#include "faultmodels/parameter_injection.h"

namespace accsim {
namespace {

constexpr double kAlpha = 0.001;  // 99.9% intervals

double closed_form(double p) { return p * std::pow(1 - p, 7) * (1 - std::ldexp(1.0, -23)); }

// The exact probability that BER p turns the word `bits` into a NaN: every 0 of the
// exponent flips and no 1 does, and the mantissa is not all zero afterwards.
double exact_nan_probability(std::uint32_t bits, double p) {
  const int exponent_ones = __builtin_popcount((bits >> 23) & 0xffu);
  const int mantissa_ones = __builtin_popcount(bits & 0x7fffffu);
  const double exponent_all_ones = std::pow(p, 8 - exponent_ones) * std::pow(1 - p, exponent_ones);
  const double mantissa_zero = std::pow(p, mantissa_ones) * std::pow(1 - p, 23 - mantissa_ones);
  return exponent_all_ones * (1 - mantissa_zero);
}

struct Interval {
  double lo, hi;
};
// Clopper-Pearson interval for the success probability after k successes in n trials.
Interval clopper_pearson(double k, double n) {
  using B = boost::math::binomial_distribution<double>;
  return {B::find_lower_bound_on_p(n, k, kAlpha / 2), B::find_upper_bound_on_p(n, k, kAlpha / 2)};
}

long long count_nans(const std::vector<float>& v) {
  long long n = 0;
  for (float x : v) n += std::isnan(x);
  return n;
}

ParameterFaultModel ber(double p) {
  ParameterFaultModel m;
  m.kind = ParameterFaultKind::ber;
  m.rate = p;
  return m;
}

TEST(BerNanAnalysis, NanRateOfParametersWithExponent01111111MatchesTheStudysClosedForm) {
  const std::size_t n = 400000;
  for (double p : {1e-3, 3e-2}) {
    std::vector<float> w(n);
    Rng rng(2024);
    double exact = 0.0;
    for (auto& x : w) {  // |x| in [1, 2): exponent field 01111111, uniform mantissa, random sign
      const std::uint32_t bits = (static_cast<std::uint32_t>(rng.next() >> 63) << 31) | (0x7fu << 23) |
                                 static_cast<std::uint32_t>(rng.next() >> 41);
      x = bits_float(bits);
      exact += exact_nan_probability(bits, p);
    }
    ParameterSet set;
    set.add("w.weight", w.data(), w.size());
    inject(set, resolve(ParameterTarget{}, set), ber(p), 77);
    const long long k = count_nans(w);
    const Interval ci = clopper_pearson(static_cast<double>(k), static_cast<double>(n));
    std::printf("[ NaN ] [1,2): p=%g  NaNs %lld of %zu = %.5g  closed form %.5g  99.9%% CI [%.5g, %.5g]  naive p %.3g\n",
                p, k, n, static_cast<double>(k) / n, closed_form(p), ci.lo, ci.hi, p);
    EXPECT_NEAR(exact / n, closed_form(p), 1e-3 * closed_form(p)) << "the closed form is the mean of the exact one";
    EXPECT_GE(closed_form(p), ci.lo) << "p=" << p;
    EXPECT_LE(closed_form(p), ci.hi) << "p=" << p;
    if (p > 1e-2) {
      EXPECT_GT(p, ci.hi) << "the test cannot tell the closed form from the naive rate p";
    }
  }
}

TEST(BerNanAnalysis, NanRateOfParametersInZeroOneIsTheExactOneFarBelowTheClosedForm) {
  const std::size_t n = 400000;
  const double p = 3e-2;
  std::vector<float> w(n);
  Rng rng(99);
  double mean = 0.0, variance = 0.0;
  for (auto& x : w) {
    do x = rng.uniform01();
    while (x == 0.0f);
    const double q = exact_nan_probability(float_bits(x), p);
    mean += q;
    variance += q * (1 - q);
  }
  // The analytic rate for x uniform on (0, 1): binade [2^-(i+1), 2^-i) has probability
  // 2^-(i+1) and exponent field 126 - i; its mantissa is uniform.
  double uniform01_rate = 0.0;
  for (int i = 0; i < 126; ++i) {
    const int ones = __builtin_popcount(static_cast<unsigned>(126 - i));
    uniform01_rate += std::ldexp(1.0, -(i + 1)) * std::pow(p, 8 - ones) * std::pow(1 - p, ones);
  }
  uniform01_rate *= 1 - std::ldexp(1.0, -23);
  ParameterSet set;
  set.add("w.weight", w.data(), w.size());
  inject(set, resolve(ParameterTarget{}, set), ber(p), 78);
  const long long k = count_nans(w);
  const double sd = std::sqrt(variance);
  std::printf("[ NaN ] (0,1): p=%g  NaNs %lld of %zu  exact expectation %.1f +- %.1f (3.29 sd)  analytic (0,1) rate %.4g "
              "(%.1f)  closed form predicts %.0f\n",
              p, k, n, mean, 3.29 * sd, uniform01_rate, uniform01_rate * n, closed_form(p) * n);
  EXPECT_NEAR(static_cast<double>(k), mean, 3.29 * sd);
  EXPECT_NEAR(mean / n, uniform01_rate, 0.02 * uniform01_rate);
  EXPECT_LT(static_cast<double>(k), 0.05 * closed_form(p) * n) << "the closed form does not hold on (0, 1)";
}

TEST(BerNanAnalysis, ProbabilityThatAModelHoldsANanIsOneMinusOneMinusQToTheN) {
  const std::size_t params = 512;
  const int trials = 4000;
  const double p = 2e-3;
  std::vector<float> w(params);
  Rng rng(7);
  for (auto& x : w) x = bits_float((0x7fu << 23) | static_cast<std::uint32_t>(rng.next() >> 41));
  ParameterSet set;
  set.add("w.weight", w.data(), w.size());
  const ResolvedTarget t = resolve(ParameterTarget{}, set);
  int with_nan = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const Injection inj = inject(set, t, ber(p), static_cast<std::uint64_t>(trial));
    with_nan += count_nans(w) > 0;
    inj.undo(set);
  }
  const double model_level = 1 - std::pow(1 - closed_form(p), static_cast<double>(params));
  const Interval ci = clopper_pearson(with_nan, trials);
  std::printf("[ NaN ] model of %zu params in [1,2), p=%g: %d of %d trials hold a NaN = %.4f  1-(1-q)^n = %.4f  "
              "99.9%% CI [%.4f, %.4f]\n",
              params, p, with_nan, trials, static_cast<double>(with_nan) / trials, model_level, ci.lo, ci.hi);
  EXPECT_GE(model_level, ci.lo);
  EXPECT_LE(model_level, ci.hi);
}

}  // namespace
}  // namespace accsim
