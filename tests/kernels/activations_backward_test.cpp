#include "kernels/activations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

using testing::random_tensor;
using testing::same_bits;

// The backward passes are checked against central differences of a scalar objective
// L(x) = sum_o c_o * f(x)_o, with f re-implemented here in double. ReLU, max-pool and
// bias are piecewise linear: away from the kinks (|x| > h, window values more than 2h
// apart) the central difference is exact up to double rounding (~1e-13 here), so the
// tolerances below only absorb that rounding and the fp32 rounding of the kernels.
constexpr double kStep = 1e-3;

std::vector<double> to_double(const Tensor& t) { return std::vector<double>(t.values().begin(), t.values().end()); }

double dot(const std::vector<double>& a, const Tensor& c) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * c[i];
  return s;
}

template <class Objective>
std::vector<double> central_differences(std::vector<double> x, Objective objective) {
  std::vector<double> g(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double keep = x[i];
    x[i] = keep + kStep;
    const double up = objective(x);
    x[i] = keep - kStep;
    const double down = objective(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * kStep);
  }
  return g;
}

float nan_with_payload(std::uint32_t payload) {
  const std::uint32_t bits = 0x7fc00000u | payload;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// ---- ReLU ----

TEST(ReluBackward, MatchesCentralFiniteDifferencesOfADoublePrecisionRelu) {
  Rng rng(11);
  Tensor x = random_tensor({2, 3, 4, 5}, rng);
  for (auto& v : x.values())
    if (std::fabs(v) < 0.01f) v = 0.5f;  // stay away from the kink
  const Tensor c = random_tensor(x.shape(), rng);
  const auto objective = [&](const std::vector<double>& xs) {
    std::vector<double> y(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) y[i] = xs[i] > 0.0 ? xs[i] : 0.0;
    return dot(y, c);
  };
  const auto fd = central_differences(to_double(x), objective);
  const Tensor g = relu_backward(x, c);
  ASSERT_EQ(g.shape(), x.shape());
  int passed = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    EXPECT_NEAR(g[i], fd[i], 1e-9) << i;
    passed += g[i] != 0.0f;
  }
  EXPECT_GT(passed, 0);
  EXPECT_LT(passed, static_cast<int>(g.size()));
}

TEST(ReluBackward, IsZeroWhereInputIsNonPositiveIncludingSignedZerosAndGradYElsewhere) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x({8});
  x.values() = {-2.0f, -0.0f, 0.0f, 1e-30f, 3.0f, -inf, inf, nan};
  Tensor gy({8});
  gy.values() = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f};
  const Tensor g = relu_backward(x, gy);
  // Naive reference; NaN inputs pass the gradient through, as PyTorch's threshold_backward.
  for (std::size_t i = 0; i < 8; ++i) {
    const float want = (x[i] > 0.0f || x[i] != x[i]) ? gy[i] : 0.0f;
    EXPECT_TRUE(same_bits(g[i], want)) << i << ": " << g[i] << " vs " << want;
  }
}

TEST(ReluBackward, RejectsGradientOfAnotherShape) {
  EXPECT_THROW(relu_backward(Tensor({2, 3}), Tensor({3, 2})), std::invalid_argument);
}

// ---- max-pool forward ----

// Naive double-precision pool for inputs without NaN.
std::vector<double> pool_double(const std::vector<double>& x, const std::vector<int>& shape, int size) {
  const int NC = shape[0] * shape[1], H = shape[2], W = shape[3], P = H / size, Q = W / size;
  std::vector<double> y;
  for (int nc = 0; nc < NC; ++nc)
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q) {
        double m = -std::numeric_limits<double>::infinity();
        for (int i = 0; i < size; ++i)
          for (int j = 0; j < size; ++j) m = std::max(m, x[(static_cast<std::size_t>(nc) * H + p * size + i) * W + q * size + j]);
        y.push_back(m);
      }
  return y;
}

TEST(MaxPool, OldSignatureGivesTheSameBitsAsTheIndexedPoolAndTheNaiveValues) {
  Rng rng(3);
  const Tensor x = random_tensor({2, 3, 7, 7}, rng);
  for (int size : {1, 2, 3}) {
    const Tensor a = max_pool2d(x, size);
    const MaxPoolResult b = max_pool2d_with_indices(x, size);
    ASSERT_EQ(a.shape(), (std::vector<int>{2, 3, 7 / size, 7 / size}));
    ASSERT_EQ(b.y.shape(), a.shape());
    ASSERT_EQ(b.argmax.size(), a.size());
    EXPECT_EQ(testing::count_bit_differences(a, b.y), 0);
    const auto ref = pool_double(to_double(x), x.shape(), size);
    for (std::size_t o = 0; o < a.size(); ++o) {
      EXPECT_EQ(static_cast<double>(a[o]), ref[o]) << o;
      EXPECT_TRUE(same_bits(x[b.argmax[o]], a[o])) << o;
    }
  }
}

TEST(MaxPool, TiesTakeTheFirstMaximumInRowMajorWindowOrder) {
  // One [1, 1, 2, 6] input, three 2x2 windows (columns 0-1, 2-3, 4-5).
  Tensor x({1, 1, 2, 6});
  x.values() = {1.0f, 3.0f, 5.0f, 5.0f, -0.0f, 0.0f,   // row 0
                3.0f, 2.0f, 5.0f, 5.0f, -1.0f, -2.0f};  // row 1
  const MaxPoolResult r = max_pool2d_with_indices(x, 2);
  EXPECT_EQ(r.argmax, (std::vector<std::size_t>{1, 2, 4}));  // not 6; not 3, 8, 9; -0 before +0
  EXPECT_EQ(r.y[0], 3.0f);
  EXPECT_EQ(r.y[1], 5.0f);
  EXPECT_TRUE(same_bits(r.y[2], -0.0f));
}

TEST(MaxPool, ANanInTheWindowIsTheOutputAndItsIndexIsTheFirstNan) {
  const float nan_a = nan_with_payload(1), nan_b = nan_with_payload(2);
  Tensor x({1, 1, 2, 6});
  x.values() = {1.0f, nan_a, nan_b, 9.0f, 1.0f, 2.0f,   // window 0: NaN second; window 1: NaN first
                nan_b, 5.0f, nan_a, 7.0f, 3.0f, nan_a};  // window 2: NaN last, after the maximum
  const MaxPoolResult r = max_pool2d_with_indices(x, 2);
  EXPECT_EQ(r.argmax, (std::vector<std::size_t>{1, 2, 11}));
  EXPECT_TRUE(same_bits(r.y[0], nan_a));
  EXPECT_TRUE(same_bits(r.y[1], nan_b));
  EXPECT_TRUE(same_bits(r.y[2], nan_a));
  EXPECT_TRUE(std::isnan(max_pool2d(x, 2)[2]));
}

TEST(MaxPool, InputsNotDivisibleByTheWindowDropTheTrailingRowsAndColumns) {
  Tensor x({1, 1, 5, 5}, -1.0f);
  for (int i = 0; i < 5; ++i) x[4 * 5 + i] = x[i * 5 + 4] = 100.0f;  // last row and column: ignored
  const MaxPoolResult r = max_pool2d_with_indices(x, 2);
  ASSERT_EQ(r.y.shape(), (std::vector<int>{1, 1, 2, 2}));
  for (std::size_t o = 0; o < 4; ++o) {
    EXPECT_EQ(r.y[o], -1.0f);
    EXPECT_LT(r.argmax[o] / 5, 4u);
    EXPECT_LT(r.argmax[o] % 5, 4u);
  }
}

// ---- max-pool backward ----

TEST(MaxPoolBackward, MatchesCentralFiniteDifferencesOfADoublePrecisionPool) {
  Rng rng(5);
  Tensor x({2, 3, 6, 6});
  // Distinct values 0.01 apart (shuffled): a +-h perturbation never changes a window's winner.
  std::vector<int> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.01f * static_cast<float>(order[i]) - 1.0f;
  for (int size : {2, 3}) {
    const MaxPoolResult r = max_pool2d_with_indices(x, size);
    const Tensor c = random_tensor(r.y.shape(), rng);
    const auto objective = [&](const std::vector<double>& xs) { return dot(pool_double(xs, x.shape(), size), c); };
    const auto fd = central_differences(to_double(x), objective);
    const Tensor g = max_pool2d_backward(c, r.argmax, x.shape());
    ASSERT_EQ(g.shape(), x.shape());
    for (std::size_t i = 0; i < g.size(); ++i) EXPECT_NEAR(g[i], fd[i], 1e-9) << "size " << size << " at " << i;
  }
}

TEST(MaxPoolBackward, EqualsANaiveReferenceThatScansEveryInputElementWithTiesAndNans) {
  Rng rng(8);
  const int N = 2, C = 2, H = 7, W = 8, S = 2;
  Tensor x({N, C, H, W});
  for (auto& v : x.values()) v = static_cast<float>(rng.below(3));  // many ties
  for (int i = 0; i < 6; ++i) x[rng.below(x.size())] = nan_with_payload(static_cast<std::uint32_t>(i));
  const MaxPoolResult r = max_pool2d_with_indices(x, S);
  const Tensor gy = random_tensor(r.y.shape(), rng);
  const Tensor g = max_pool2d_backward(gy, r.argmax, x.shape());
  // Reference: an input element receives its window's gradient iff it is the window's
  // first NaN, or, in a window without NaN, every earlier element is smaller and every
  // later one is not larger.
  const int P = H / S, Q = W / S;
  for (int nc = 0; nc < N * C; ++nc)
    for (int h = 0; h < H; ++h)
      for (int w = 0; w < W; ++w) {
        const std::size_t at = (static_cast<std::size_t>(nc) * H + h) * W + w;
        float want = 0.0f;
        if (h / S < P && w / S < Q) {
          const int p = h / S, q = w / S, mine = (h % S) * S + w % S;
          std::vector<float> win;
          for (int e = 0; e < S * S; ++e) win.push_back(x[(static_cast<std::size_t>(nc) * H + p * S + e / S) * W + q * S + e % S]);
          const bool any_nan = std::any_of(win.begin(), win.end(), [](float v) { return std::isnan(v); });
          bool wins = any_nan ? std::isnan(win[mine]) : true;
          for (int e = 0; e < S * S; ++e) {
            if (any_nan && e < mine) wins = wins && !std::isnan(win[e]);
            if (!any_nan && e < mine) wins = wins && win[e] < win[mine];
            if (!any_nan && e > mine) wins = wins && win[e] <= win[mine];
          }
          if (wins) want = gy[(static_cast<std::size_t>(nc) * P + p) * Q + q];
        }
        EXPECT_TRUE(same_bits(g[at], want)) << "nc " << nc << " h " << h << " w " << w;
      }
  // Every NaN output routes its gradient to a NaN input.
  for (std::size_t o = 0; o < r.y.size(); ++o)
    if (std::isnan(r.y[o])) {
      EXPECT_TRUE(std::isnan(x[r.argmax[o]]));
    }
}

TEST(MaxPoolBackward, RejectsIndicesOutsideTheInputOrOfTheWrongCount) {
  Tensor gy({1, 1, 1, 1}, 1.0f);
  EXPECT_THROW(max_pool2d_backward(gy, {4}, {1, 1, 2, 2}), std::invalid_argument);
  EXPECT_THROW(max_pool2d_backward(gy, {0, 1}, {1, 1, 2, 2}), std::invalid_argument);
}

// ---- bias ----

TEST(BiasGradient, MatchesCentralFiniteDifferencesOfAddBiasInDouble) {
  Rng rng(21);
  const Tensor y = random_tensor({3, 4, 5, 5}, rng);
  const Tensor b = random_tensor({4}, rng);
  const Tensor c = random_tensor(y.shape(), rng);
  const auto objective = [&](const std::vector<double>& bs) {
    std::vector<double> out(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) out[i] = static_cast<double>(y[i]) + bs[(i / 25) % 4];
    return dot(out, c);
  };
  const auto fd = central_differences(to_double(b), objective);
  const Tensor g = bias_gradient(c);
  ASSERT_EQ(g.shape(), (std::vector<int>{4}));
  // The kernel sums 75 values of |c| <= 1 in double and rounds once: error <= 2^-24 * 75.
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(g[k], fd[k], 1e-5) << k;
}

TEST(BiasGradient, EqualsANaiveDoubleSumOverBatchAndSpatialDimsForConvAndFcShapes) {
  Rng rng(22);
  // Channels are summed up to eight at a time (each its own chain): 8, 19 and 10 channels
  // take whole and partial blocks.
  for (const std::vector<int>& shape : {std::vector<int>{3, 5, 4, 2}, std::vector<int>{6, 7}, std::vector<int>{2, 3, 1, 1},
                                        std::vector<int>{4, 8, 2, 3}, std::vector<int>{2, 19, 3, 2}, std::vector<int>{64, 10}}) {
    const Tensor gy = random_tensor(shape, rng);
    const int N = shape[0], K = shape[1];
    const int plane = static_cast<int>(gy.size()) / (N * K);
    std::vector<double> ref(K, 0.0);
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k)
        for (int i = 0; i < plane; ++i) ref[k] += gy[(n * K + k) * plane + i];
    const Tensor g = bias_gradient(gy);
    ASSERT_EQ(g.shape(), (std::vector<int>{K}));
    for (int k = 0; k < K; ++k) EXPECT_TRUE(same_bits(g[k], static_cast<float>(ref[k]))) << gy.shape_string() << " " << k;
  }
  EXPECT_THROW(bias_gradient(Tensor({4})), std::invalid_argument);
}

}  // namespace
}  // namespace accsim

namespace accsim {
namespace {

TEST(ClippedRelu, SaturateCapsAtTheThresholdAndZeroDropsLargeValuesNanAndInf) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  Tensor x({1, 7});
  x.values() = {-2.0f, 0.5f, 6.0f, 7.0f, nan, inf, -inf};
  const Tensor s = clipped_relu(x, {ClipMode::saturate, 6.0f});
  const Tensor z = clipped_relu(x, {ClipMode::zero, 6.0f});
  EXPECT_EQ(s.values(), (std::vector<float>{0.0f, 0.5f, 6.0f, 6.0f, 6.0f, 6.0f, 0.0f}));
  EXPECT_EQ(z.values(), (std::vector<float>{0.0f, 0.5f, 6.0f, 0.0f, 0.0f, 0.0f, 0.0f}));
  const Tensor plain = clipped_relu(x, {});
  EXPECT_TRUE(std::isnan(plain[4]));  // without the mitigation a crash stays visible
}

// The vectorised loops (in place and from x into a new tensor, on 1 and 2 threads) against
// the rule written out per element, bit for bit, over
// lengths across vector widths and tails, with -0, NaN (two payloads), +-Inf, the
// threshold itself and values just around it anywhere in the tensor.
TEST(ClippedRelu, EveryModeEqualsTheRuleWordByWordOnLongTensorsWithSpecialValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const float T = 6.0f;
  const std::vector<float> pool = {-2.0f, -0.0f, 0.0f, 0.5f, T, std::nextafter(T, 0.0f), std::nextafter(T, 7.0f), 7.0f,
                                   nan, -nan, inf, -inf, 1e-45f, -1e-45f, 3.0e38f};
  const auto rule = [&](float v, ClipMode mode) {
    if (mode == ClipMode::none) return v < 0.0f ? 0.0f : v;
    return v <= 0.0f ? 0.0f : (v <= T ? v : (mode == ClipMode::saturate ? T : 0.0f));
  };
  std::uint32_t state = 12345;
  for (const std::size_t n : {1u, 7u, 8u, 15u, 16u, 17u, 31u, 64u, 1000u, 1027u})
    for (const ClipMode mode : {ClipMode::none, ClipMode::saturate, ClipMode::zero}) {
      Tensor x({static_cast<int>(n)});
      for (float& v : x.values()) {
        state = state * 1664525u + 1013904223u;
        v = pool[(state >> 16) % pool.size()];
      }
      for (const int threads : {1, 2}) {
        Tensor in_place = x;
        clipped_relu_in_place(in_place, {mode, T}, threads);
        const Tensor from_x = clipped_relu(x, {mode, T}, threads);
        for (std::size_t i = 0; i < n; ++i) {
          const float want = rule(x[i], mode);
          EXPECT_EQ(std::memcmp(&in_place[i], &want, sizeof want), 0) << "n " << n << " i " << i << " x " << x[i];
          const float got = from_x[i];
          EXPECT_EQ(std::memcmp(&got, &want, sizeof want), 0) << "n " << n << " i " << i << " x " << x[i];
        }
      }
    }
}

TEST(ClippedRelu, GradientPassesOnlyWhereTheOutputFollowsTheInput) {
  Tensor x({1, 5});
  x.values() = {-1.0f, 1.0f, 6.0f, 8.0f, 3.0f};
  Tensor g({1, 5}, 1.0f);
  EXPECT_EQ(clipped_relu_backward(x, g, {ClipMode::saturate, 6.0f}).values(),
            (std::vector<float>{0.0f, 1.0f, 0.0f, 0.0f, 1.0f}));
  EXPECT_EQ(clipped_relu_backward(x, g, {ClipMode::zero, 6.0f}).values(),
            (std::vector<float>{0.0f, 1.0f, 1.0f, 0.0f, 1.0f}));
  // Central differences away from the kinks agree.
  for (ClipMode mode : {ClipMode::saturate, ClipMode::zero}) {
    const ActivationClip clip{mode, 6.0f};
    for (float v : {-1.0f, 1.0f, 3.0f, 8.0f}) {
      Tensor a({1, 1}, v + 1e-3f), b({1, 1}, v - 1e-3f), one({1, 1}, 1.0f), at({1, 1}, v);
      const double fd = (clipped_relu(a, clip)[0] - clipped_relu(b, clip)[0]) / 2e-3;
      EXPECT_NEAR(clipped_relu_backward(at, one, clip)[0], fd, 1e-3) << v;
    }
  }
}

}  // namespace
}  // namespace accsim
