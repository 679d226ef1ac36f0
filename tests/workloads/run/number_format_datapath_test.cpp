// Each number format's datapath against an independent reference, on both engines:
// fp16 and bf16 fault-free outputs equal a double-precision convolution of the rounded
// operands within fp32 summation rounding, and the unrounded one within the format's
// rounding; int8 outputs equal, bit for bit, an integer convolution of independently
// quantised operands dequantised by scale_w * scale_x. Stuck-ats on a 16-bit
// register's top exponent bit give Inf/NaN, never an abort.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "arch/array_operands.h"
#include "arch/hardware_fault.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

// y[n][k][p][q] = sum x * w in double (of |x| * |w| with `absolute`).
std::vector<double> double_conv(const ConvShape& sh, const Tensor& x, const Tensor& w, bool absolute = false) {
  std::vector<double> y;
  for (int n = 0; n < sh.n; ++n)
    for (int k = 0; k < sh.k; ++k)
      for (int p = 0; p < sh.p(); ++p)
        for (int q = 0; q < sh.q(); ++q) {
          double sum = 0.0;
          for (int c = 0; c < sh.c; ++c)
            for (int r = 0; r < sh.r; ++r)
              for (int s = 0; s < sh.s; ++s) {
                const int ih = p * sh.stride + r - sh.pad, iw = q * sh.stride + s - sh.pad;
                if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;
                const double a = x[((static_cast<std::size_t>(n) * sh.c + c) * sh.h + ih) * sh.w + iw];
                const double b = w[((static_cast<std::size_t>(k) * sh.c + c) * sh.r + r) * sh.s + s];
                sum += absolute ? std::fabs(a) * std::fabs(b) : a * b;
              }
          y.push_back(sum);
        }
  return y;
}

ConvJob random_job(Rng& rng, bool large) {
  ConvJob job;
  job.layer = "ref";
  ConvShape& s = job.shape;
  s.n = 1 + static_cast<int>(rng.below(2));
  s.c = 1 + static_cast<int>(rng.below(large ? 100 : 24));
  s.k = 1 + static_cast<int>(rng.below(large ? 40 : 20));
  s.r = s.s = 1 + static_cast<int>(rng.below(3));
  s.stride = 1 + static_cast<int>(rng.below(2));
  s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(s.r)));
  s.h = s.r + static_cast<int>(rng.below(6));
  s.w = s.s + static_cast<int>(rng.below(6));
  job.swizzle_seed = rng.next();
  return job;
}

// Runs `cases` random fault-free jobs per preset and engine (every swizzle) and calls
// check(job, input, weights, output).
template <class Check>
void for_random_jobs(DataType type, std::uint64_t seed, int cases, Check check) {
  Rng rng(seed);
  const PeFaults none;
  for (const char* name : {"small", "large"})
    for (int t = 0; t < cases; ++t) {
      ArrayConfig a = preset(name);
      a.datatype = type;
      a.swizzle = static_cast<SwizzlePolicy>(t % 4);
      const ConvJob job = random_job(rng, a.atomic_c > 8);
      const ConvShape& s = job.shape;
      const Tensor x = random_tensor({s.n, s.c, s.h, s.w}, rng), w = random_tensor({s.k, s.c, s.r, s.s}, rng);
      for (const char* engine : {"fast", "cycle"}) {
        SCOPED_TRACE(to_string(type) + " " + name + " " + engine + " case " + std::to_string(t));
        check(job, x, w, make_engine(engine, a, none)->run(job, x, w, 0).output);
        if (::testing::Test::HasFatalFailure()) return;
      }
    }
}

void expect_float_format_close_to_double_reference(DataType type, double unit_roundoff) {
  for_random_jobs(type, 16 + static_cast<std::uint64_t>(type), 10,
                  [&](const ConvJob& job, const Tensor& x, const Tensor& w, const Tensor& got) {
                    const ConvShape& s = job.shape;
                    // The values the registers hold, and their exact products, in double.
                    const std::vector<double> exact = double_conv(s, round_to_format(type, x), round_to_format(type, w));
                    const std::vector<double> ideal = double_conv(s, x, w), mag = double_conv(s, x, w, true);
                    const double terms = static_cast<double>(s.c) * s.r * s.s;
                    for (std::size_t i = 0; i < got.size(); ++i) {
                      // Products are exact in fp32; only the fp32 adder tree and accumulator round.
                      const double sum_bound = (terms + 1) * std::ldexp(1.0, -24) * mag[i] * 1.01 + 1e-30;
                      ASSERT_LE(std::fabs(got[i] - exact[i]), sum_bound) << "element " << i;
                      // Against the unrounded operands: two operand roundings per product (plus
                      // fp16's subnormal spacing near zero).
                      const double op_bound = (2 * unit_roundoff + unit_roundoff * unit_roundoff) * mag[i] +
                                              terms * std::ldexp(1.0, -24) + sum_bound;
                      ASSERT_LE(std::fabs(got[i] - ideal[i]), op_bound) << "element " << i;
                    }
                  });
}

TEST(NumberFormatDatapath, Fp16FaultFreeOutputsMatchADoubleReferenceWithinTheFormatsRounding) {
  expect_float_format_close_to_double_reference(DataType::fp16, std::ldexp(1.0, -11));
}

TEST(NumberFormatDatapath, Bf16FaultFreeOutputsMatchADoubleReferenceWithinTheFormatsRounding) {
  expect_float_format_close_to_double_reference(DataType::bf16, std::ldexp(1.0, -8));
}

// The test's own quantiser, written from the definition in docs/cycle_model.md.
std::vector<int> quantise(const Tensor& t, float& scale) {
  float max = 0.0f;
  for (float v : t.values()) max = std::max(max, std::fabs(v));
  scale = max > 0.0f ? max / 127.0f : 1.0f;
  std::vector<int> q;
  for (float v : t.values()) q.push_back(std::max(-127, std::min(127, static_cast<int>(std::nearbyint(v / scale)))));
  return q;
}

TEST(NumberFormatDatapath, Int8FaultFreeOutputsEqualAnIntegerConvolutionOfTheQuantisedOperands) {
  for_random_jobs(DataType::int8, 8, 10, [&](const ConvJob& job, const Tensor& x, const Tensor& w, const Tensor& got) {
    const ConvShape& sh = job.shape;
    float sx = 0, sw = 0;
    const std::vector<int> qx = quantise(x, sx), qw = quantise(w, sw);
    const float out_scale = sw * sx;
    const std::vector<double> ideal = double_conv(sh, x, w), mag = double_conv(sh, x, w, true);
    std::size_t o = 0;
    for (int n = 0; n < sh.n; ++n)
      for (int k = 0; k < sh.k; ++k)
        for (int p = 0; p < sh.p(); ++p)
          for (int q = 0; q < sh.q(); ++q, ++o) {
            long long sum = 0, abs_x = 0, abs_w = 0;
            for (int c = 0; c < sh.c; ++c)
              for (int r = 0; r < sh.r; ++r)
                for (int s = 0; s < sh.s; ++s) {
                  const int ih = p * sh.stride + r - sh.pad, iw = q * sh.stride + s - sh.pad;
                  if (ih < 0 || ih >= sh.h || iw < 0 || iw >= sh.w) continue;
                  const int a = qx[((static_cast<std::size_t>(n) * sh.c + c) * sh.h + ih) * sh.w + iw];
                  const int b = qw[((static_cast<std::size_t>(k) * sh.c + c) * sh.r + r) * sh.s + s];
                  sum += static_cast<long long>(a) * b;
                  abs_x += std::abs(a), abs_w += std::abs(b);
                }
            const float want = static_cast<float>(sum) * out_scale;
            ASSERT_TRUE(testing::same_bits(got[o], want)) << "element " << o << ": " << got[o] << " vs " << want;
            // And the quantisation error stays within half a step of each operand per product.
            const double bound = 0.5 * sw * abs_x * sx + 0.5 * sx * abs_w * sw +
                                 0.25 * sw * sx * sh.c * sh.r * sh.s + 1e-6 * mag[o] + 1e-30;
            ASSERT_LE(std::fabs(got[o] - ideal[o]), bound * 1.001) << "element " << o;
          }
  });
}

TEST(NumberFormatDatapath, RunningHostTensorsEqualsRunningTheirEncodedWords) {
  for (DataType type : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8}) {
    ArrayConfig a = preset("small");
    a.datatype = type;
    HardwareFault f;
    f.site = FaultSite::input, f.row = 2, f.col = 1, f.bit = 5, f.kind = FaultKind::stuck_at_1;
    const PeFaults faults(a, {f});
    Rng rng(3);
    ConvJob job = random_job(rng, false);
    const ConvShape& s = job.shape;
    const Tensor x = random_tensor({s.n, s.c, s.h, s.w}, rng), w = random_tensor({s.k, s.c, s.r, s.s}, rng);
    for (const char* engine : {"fast", "cycle"}) {
      const auto e = make_engine(engine, a, faults);
      EXPECT_EQ(testing::count_bit_differences(e->run(job, x, w, 0).output,
                                               e->run_encoded(job, encode_operands(type, x, w), 0).output),
                0)
          << to_string(type) << " " << engine;
    }
  }
}

// A stuck-at-1 on the top exponent bit (14) of a 16-bit register holding a value in
// [1, 2) turns it into Inf: every output of the PE's column is +-Inf or NaN, the other
// columns stay finite, both engines agree, and nothing throws.
TEST(NumberFormatDatapath, StuckAtOnTheTopExponentBitOfA16BitRegisterGivesInfOrNaN) {
  for (DataType type : {DataType::fp16, DataType::bf16})
    for (FaultSite site : {FaultSite::weight, FaultSite::input}) {
      ArrayConfig a = preset("small");
      a.datatype = type;
      HardwareFault f;
      f.site = site, f.row = 1, f.col = 3, f.bit = 14, f.kind = FaultKind::stuck_at_1;
      const PeFaults faults(a, {f});
      ConvJob job;
      job.layer = "top";
      job.shape = ConvShape{1, 4, 6, 6, 5, 3, 3, 1, 0};
      Rng rng(11);
      Tensor x = random_tensor({1, 4, 6, 6}, rng, 1.0f, 1.9f), w = random_tensor({5, 4, 3, 3}, rng, 1.0f, 1.9f);
      for (auto& v : w.values()) v = rng.below(2) ? v : -v;
      JobResult fast, cycle;
      ASSERT_NO_THROW(fast = make_engine("fast", a, faults)->run(job, x, w, 0));
      ASSERT_NO_THROW(cycle = make_engine("cycle", a, faults)->run(job, x, w, 0));
      EXPECT_EQ(testing::count_bit_differences(fast.output, cycle.output), 0);
      const int PQ = 16;
      for (int k = 0; k < 5; ++k)
        for (int i = 0; i < PQ; ++i) {
          const float v = fast.output[k * PQ + i];
          if (k == 3)
            EXPECT_FALSE(std::isfinite(v)) << to_string(type) << " " << to_string(site) << " output " << i << ": " << v;
          else
            EXPECT_TRUE(std::isfinite(v)) << to_string(type) << " " << to_string(site) << " channel " << k;
        }
    }
}

}  // namespace
}  // namespace accsim
