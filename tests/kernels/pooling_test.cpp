// Pooling against values printed by PyTorch 1.13 and against a reference that first pads the
// input explicitly (with -inf / marked cells) and then slides plain windows over it.
#include "kernels/pooling.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "arch/number_format.h"
#include "kernels/activations.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::random_tensor;
using testing::same_bits;

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

PoolWindow window(int k, int s, std::vector<int> pads, bool ceil_mode, bool include_pad = false, int dil = 1) {
  PoolWindow w;
  w.kernel = {k, k};
  w.strides = {s, s};
  w.pads = std::move(pads);
  w.dilations = {dil, dil};
  w.ceil_mode = ceil_mode;
  w.count_include_pad = include_pad;
  return w;
}

Tensor iota(std::vector<int> shape) {
  Tensor t(std::move(shape));
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(i);
  return t;
}

void expect_values(const Tensor& y, const std::vector<float>& expected, const std::string& what) {
  ASSERT_EQ(y.size(), expected.size()) << what;
  for (std::size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], expected[i], 3e-7f * std::fabs(expected[i])) << what << " " << i;
}

TEST(Pooling, OutputShapeFollowsOnnxFormula) {
  using S = std::vector<int>;
  EXPECT_EQ(pool_output_shape({1, 1, 5, 5}, window(2, 2, {1, 1, 1, 1}, true)), (S{1, 1, 3, 3}));  // PyTorch: 3x3
  EXPECT_EQ(pool_output_shape({1, 1, 4, 4}, window(3, 2, {1, 1, 1, 1}, true)), (S{1, 1, 3, 3}));  // PyTorch: 3x3
  EXPECT_EQ(pool_output_shape({1, 1, 4, 4}, window(3, 2, {1, 1, 1, 1}, false)), (S{1, 1, 2, 2}));
  EXPECT_EQ(pool_output_shape({2, 3, 7, 7}, window(2, 2, {0, 0, 0, 0}, true)), (S{2, 3, 4, 4}));
  EXPECT_EQ(pool_output_shape({2, 3, 7, 7}, window(2, 2, {0, 0, 0, 0}, false)), (S{2, 3, 3, 3}));
  EXPECT_EQ(pool_output_shape({1, 1, 7, 9}, window(3, 1, {0, 0, 0, 0}, false, false, 2)), (S{1, 1, 3, 5}));
  PoolWindow asym = window(2, 2, {1, 0, 0, 3}, false);  // top 1, left 0, bottom 0, right 3
  EXPECT_EQ(pool_output_shape({1, 1, 5, 5}, asym), (S{1, 1, 3, 4}));
  asym.kernel = {3, 1};
  asym.strides = {1, 3};
  EXPECT_EQ(pool_output_shape({1, 1, 5, 5}, asym), (S{1, 1, 4, 3}));
}

TEST(Pooling, BadWindowsThrow) {
  const std::vector<int> x{1, 1, 4, 4};
  EXPECT_THROW(pool_output_shape({1, 4, 4}, window(2, 2, {0, 0, 0, 0}, false)), std::invalid_argument);
  EXPECT_THROW(pool_output_shape(x, window(5, 1, {0, 0, 0, 0}, false)), std::invalid_argument);  // larger than input
  EXPECT_THROW(pool_output_shape(x, window(0, 1, {0, 0, 0, 0}, false)), std::invalid_argument);
  EXPECT_THROW(pool_output_shape(x, window(2, 0, {0, 0, 0, 0}, false)), std::invalid_argument);
  EXPECT_THROW(pool_output_shape(x, window(2, 1, {0, 0, -1, 0}, false)), std::invalid_argument);
  EXPECT_THROW(pool_output_shape(x, window(2, 1, {0, 0}, false)), std::invalid_argument);
  EXPECT_THROW(max_pool(Tensor(x), window(2, 1, {0, 0, 0, 0}, false, false, 0)), std::invalid_argument);
  EXPECT_NO_THROW(pool_output_shape(x, window(5, 1, {1, 0, 0, 1}, false)));  // fits once padded
}

// Printed by PyTorch 1.13: F.avg_pool2d(arange(25.).reshape(1,1,5,5), 2, 2, padding=1, ceil_mode=True,
// count_include_pad=...) and F.avg_pool2d(arange(16.).reshape(1,1,4,4), 3, 2, padding=1, ceil_mode=True, ...).
TEST(Pooling, AveragePoolCeilModeAndCountIncludePadMatchPyTorch) {
  const Tensor a = iota({1, 1, 5, 5}), b = iota({1, 1, 4, 4});
  expect_values(average_pool(a, window(2, 2, {1, 1, 1, 1}, true, true)), {0, 0.75f, 1.75f, 3.75f, 9, 11, 8.75f, 19, 21},
                "5x5 include");
  expect_values(average_pool(a, window(2, 2, {1, 1, 1, 1}, true, false)), {0, 1.5f, 3.5f, 7.5f, 9, 11, 17.5f, 19, 21},
                "5x5 exclude");
  expect_values(average_pool(b, window(3, 2, {1, 1, 1, 1}, true, true)),
                {1.11111116f, 2.66666675f, 1.66666663f, 5.66666651f, 10, 5.5f, 4.16666651f, 7, 3.75f}, "4x4 include");
  expect_values(average_pool(b, window(3, 2, {1, 1, 1, 1}, true, false)), {2.5f, 4, 5, 8.5f, 10, 11, 12.5f, 14, 15},
                "4x4 exclude");
}

// PyTorch 1.13: F.max_pool2d(-ones(1,1,3,3), 2, 2, padding=1) = all -1 (padding is -inf, not 0).
TEST(Pooling, MaxPoolPaddingNeverWins) {
  const Tensor y = max_pool(Tensor({1, 1, 3, 3}, -1.0f), window(2, 2, {1, 1, 1, 1}, false));
  EXPECT_EQ(y.shape(), (std::vector<int>{1, 1, 2, 2}));
  for (float v : y.values()) EXPECT_EQ(v, -1.0f);
}

// cell kinds of the explicitly padded plane
enum Cell { kBeyond, kPad, kInput };

struct Padded {
  int h, w;
  std::vector<float> v;
  std::vector<Cell> kind;
};

// The plane surrounded by its pads and a margin past them (for ceil_mode windows).
Padded pad_plane(const float* plane, int H, int W, const PoolWindow& w) {
  const int margin = 8;
  Padded p{H + w.pads[0] + w.pads[2] + margin, W + w.pads[1] + w.pads[3] + margin, {}, {}};
  p.v.assign(static_cast<std::size_t>(p.h) * p.w, 0.0f);
  p.kind.assign(p.v.size(), kBeyond);
  for (int i = 0; i < H + w.pads[0] + w.pads[2]; ++i)
    for (int j = 0; j < W + w.pads[1] + w.pads[3]; ++j) {
      const int si = i - w.pads[0], sj = j - w.pads[1];
      const bool in = si >= 0 && si < H && sj >= 0 && sj < W;
      p.kind[i * p.w + j] = in ? kInput : kPad;
      if (in) p.v[i * p.w + j] = plane[si * W + sj];
    }
  return p;
}

// One output element of the reference: max (NaN if any NaN) or mean over the window's cells.
float reference_window(const Padded& p, int top, int left, const PoolWindow& w, bool average) {
  bool any_nan = false;
  float m = -kInf;
  double sum = 0.0;
  int counted = 0;
  for (int i = 0; i < w.kernel[0]; ++i)
    for (int j = 0; j < w.kernel[1]; ++j) {
      const int at = (top + i * w.dilations[0]) * p.w + left + j * w.dilations[1];
      if (p.kind[at] == kInput) {
        any_nan = any_nan || std::isnan(p.v[at]);
        m = std::max(m, p.v[at]);
        sum += p.v[at];
      }
      counted += p.kind[at] == kInput || (w.count_include_pad && p.kind[at] == kPad);
    }
  if (!average) return any_nan ? kNan : m;
  return static_cast<float>(sum / counted);
}

Tensor reference_pool(const Tensor& x, const PoolWindow& w, bool average) {
  Tensor y(pool_output_shape(x.shape(), w));
  const int H = x.dim(2), W = x.dim(3);
  std::size_t o = 0;
  for (int plane = 0; plane < x.dim(0) * x.dim(1); ++plane) {
    const Padded p = pad_plane(x.data() + static_cast<std::size_t>(plane) * H * W, H, W, w);
    for (int r = 0; r < y.dim(2); ++r)
      for (int c = 0; c < y.dim(3); ++c) y[o++] = reference_window(p, r * w.strides[0], c * w.strides[1], w, average);
  }
  return y;
}

PoolWindow random_window(Rng& rng) {
  PoolWindow w;
  for (int d = 0; d < 2; ++d) {
    w.kernel[d] = 1 + static_cast<int>(rng.below(3));
    w.strides[d] = 1 + static_cast<int>(rng.below(3));
    w.dilations[d] = 1 + static_cast<int>(rng.below(2));
    w.pads[d] = static_cast<int>(rng.below(3));
    w.pads[d + 2] = static_cast<int>(rng.below(3));
  }
  w.ceil_mode = rng.below(2) != 0;
  w.count_include_pad = rng.below(2) != 0;
  return w;
}

TEST(Pooling, RandomWindowsMatchExplicitlyPaddedReference) {
  Rng rng(1331);
  int cases = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const PoolWindow w = random_window(rng);
    const int H = 1 + static_cast<int>(rng.below(7)), W = 1 + static_cast<int>(rng.below(7));
    Tensor x = random_tensor({2, 2, H, W}, rng, -3.0f, 3.0f);
    for (auto& v : x.values())
      if (rng.below(25) == 0) v = rng.below(2) ? kNan : -kInf;
    std::vector<int> shape;
    try {
      shape = pool_output_shape(x.shape(), w);
    } catch (const std::invalid_argument&) {
      continue;  // kernel larger than the padded input
    }
    ++cases;
    const Tensor ym = max_pool(x, w), rm = reference_pool(x, w, false);
    const Tensor ya = average_pool(x, w), ra = reference_pool(x, w, true);
    ASSERT_EQ(ym.shape(), shape);
    ASSERT_EQ(ya.shape(), shape);
    for (std::size_t i = 0; i < ym.size(); ++i) {
      ASSERT_TRUE(same_bits(ym[i], rm[i]) || (std::isnan(ym[i]) && std::isnan(rm[i])))
          << "trial " << trial << " max " << i << ": " << ym[i] << " vs " << rm[i];
      ASSERT_TRUE(same_bits(ya[i], ra[i]) || (std::isnan(ya[i]) && std::isnan(ra[i])))
          << "trial " << trial << " avg " << i << ": " << ya[i] << " vs " << ra[i];
    }
  }
  EXPECT_GT(cases, 150);
}

// dL/dx of a max pool by a scan of every tap: each window's gradient to the first maximum
// of its taps in row-major order (ties: the first; -inf windows: the first tap inside the
// input), nothing from a window holding a NaN.
Tensor first_maximum_gradient(const Tensor& x, const Tensor& g, const PoolWindow& w) {
  Tensor expected(x.shape());
  const int H = x.dim(2), W = x.dim(3), P = g.dim(2), Q = g.dim(3);
  for (int pl = 0; pl < x.dim(0) * x.dim(1); ++pl)
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q) {
        long best = -1;
        bool nan = false;
        for (int i = 0; i < w.kernel[0]; ++i)
          for (int j = 0; j < w.kernel[1]; ++j) {
            const int h = p * w.strides[0] - w.pads[0] + i * w.dilations[0];
            const int c = q * w.strides[1] - w.pads[1] + j * w.dilations[1];
            if (h < 0 || h >= H || c < 0 || c >= W) continue;
            const long at = (static_cast<long>(pl) * H + h) * W + c;
            nan = nan || std::isnan(x[static_cast<std::size_t>(at)]);
            if (best < 0 || x[static_cast<std::size_t>(at)] > x[static_cast<std::size_t>(best)]) best = at;
          }
        if (!nan && best >= 0)
          expected[static_cast<std::size_t>(best)] += g[(static_cast<std::size_t>(pl) * P + p) * Q + q];
      }
  return expected;
}

// max_pool_backward against that scan on random windows (padding, dilation, ceil_mode).
TEST(Pooling, MaxPoolBackwardGoesToTheFirstMaximumOfEveryWindow) {
  Rng rng(1333);
  int cases = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const PoolWindow w = random_window(rng);
    const int H = 1 + static_cast<int>(rng.below(7)), W = 1 + static_cast<int>(rng.below(7));
    Tensor x({2, 2, H, W});
    for (auto& v : x.values()) v = static_cast<float>(rng.below(3));  // many ties
    for (auto& v : x.values())
      if (rng.below(25) == 0) v = rng.below(2) ? kNan : -kInf;
    std::vector<int> shape;
    try {
      shape = pool_output_shape(x.shape(), w);
    } catch (const std::invalid_argument&) {
      continue;
    }
    ++cases;
    const Tensor g = random_tensor(shape, rng, 0.5f, 1.5f);
    const Tensor expected = first_maximum_gradient(x, g, w);
    const Tensor gx = max_pool_backward(x, g, w);
    for (std::size_t i = 0; i < gx.size(); ++i)
      ASSERT_TRUE(same_bits(gx[i], expected[i])) << "trial " << trial << " " << i << ": " << gx[i] << " vs " << expected[i];
  }
  EXPECT_GT(cases, 150);
}

// The 2x2, stride-2 pool (its own loop) on odd and even sizes, ties, signed zeros, NaN
// payloads and infinities: forward as the padded reference and the legacy max_pool2d (the
// first NaN's payload), backward as the scan, bit for bit (zero gradients of either sign too).
TEST(Pooling, TwoByTwoStrideTwoPoolMatchesTheReferencesBitForBit) {
  Rng rng(1334);
  const float specials[] = {kNan, bits_float(0x7fa00001u), bits_float(0xffc00123u), -0.0f, 0.0f, kInf, -kInf, 1.0f};
  const PoolWindow w = window(2, 2, {0, 0, 0, 0}, false);
  for (int trial = 0; trial < 40; ++trial) {
    const int H = 2 + static_cast<int>(rng.below(7)), W = 2 + static_cast<int>(rng.below(7));
    Tensor x = random_tensor({2, 3, H, W}, rng, -2.0f, 2.0f);
    for (auto& v : x.values())
      if (rng.below(5) == 0) v = specials[rng.below(8)];
    const Tensor y = max_pool(x, w), ref = reference_pool(x, w, false), legacy = max_pool2d(x, 2);
    ASSERT_EQ(y.shape(), ref.shape());
    for (std::size_t i = 0; i < y.size(); ++i) {
      ASSERT_TRUE(same_bits(y[i], ref[i]) || (std::isnan(y[i]) && std::isnan(ref[i]))) << "trial " << trial << " " << i;
      ASSERT_TRUE(same_bits(y[i], legacy[i])) << "trial " << trial << " " << i << " (NaN payload)";
    }
    Tensor g = random_tensor(y.shape(), rng, -1.0f, 1.0f);
    for (auto& v : g.values())
      if (rng.below(6) == 0) v = rng.below(2) ? -0.0f : 0.0f;
    const Tensor gx = max_pool_backward(x, g, w), expected = first_maximum_gradient(x, g, w);
    for (std::size_t i = 0; i < gx.size(); ++i)
      ASSERT_TRUE(same_bits(gx[i], expected[i])) << "trial " << trial << " grad " << i;
  }
}

// Rows of 4 windows or more take the eight- and four-at-a-time paths (with a tail one by one): ties,
// signed zeros, NaNs and infinities in any tap, gradients of either zero, odd sizes.
// An input of 2 x 2 planes H x W (H in 2-6, W in 8-41: rows of 4 to 20 windows and
// odd sizes) with a quarter of its values special: ties, signed zeros, NaNs, infinities.
Tensor wide_pool_input(Rng& rng) {
  const float specials[] = {kNan, bits_float(0xffc00123u), -0.0f, 0.0f, kInf, -kInf, 1.0f, 1.0f};
  const int H = 2 + static_cast<int>(rng.below(5)), W = 8 + static_cast<int>(rng.below(34));
  Tensor x = random_tensor({2, 2, H, W}, rng, -2.0f, 2.0f);
  for (auto& v : x.values())
    if (rng.below(4) == 0) v = specials[rng.below(8)];
  return x;
}

TEST(Pooling, TwoByTwoPoolBackwardOfWideRowsMatchesTheScanBitForBit) {
  Rng rng(1335);
  const PoolWindow w = window(2, 2, {0, 0, 0, 0}, false);
  for (int trial = 0; trial < 40; ++trial) {
    const Tensor x = wide_pool_input(rng);
    const int H = x.dim(2), W = x.dim(3);
    Tensor g = random_tensor(pool_output_shape(x.shape(), w), rng, -1.0f, 1.0f);
    for (auto& v : g.values())
      if (rng.below(6) == 0) v = rng.below(2) ? -0.0f : 0.0f;
    const Tensor gx = max_pool_backward(x, g, w), expected = first_maximum_gradient(x, g, w);
    for (std::size_t i = 0; i < gx.size(); ++i)
      ASSERT_TRUE(same_bits(gx[i], expected[i])) << "trial " << trial << " H " << H << " W " << W << " grad " << i;
  }
}

// A max-pool after a ReLU: its backward pass with the ReLU's in one pass gives the two
// passes' bits (x: the ReLU's output; signed zeros, NaNs, infinities, odd sizes, tails;
// a 3x3 window takes the two passes' own path).
TEST(Pooling, MaxPoolReluBackwardIsTheTwoBackwardPassesBitForBit) {
  Rng rng(1337);
  for (const PoolWindow& w : {window(2, 2, {0, 0, 0, 0}, false), window(3, 2, {1, 1, 1, 1}, false)})
    for (int trial = 0; trial < 40; ++trial) {
      const Tensor x = wide_pool_input(rng);
      Tensor g = random_tensor(pool_output_shape(x.shape(), w), rng, -1.0f, 1.0f);
      for (auto& v : g.values())
        if (rng.below(6) == 0) v = rng.below(2) ? -0.0f : 0.0f;
      const Tensor got = max_pool_relu_backward(x, g, w), want = relu_backward(x, max_pool_backward(x, g, w));
      ASSERT_EQ(got.shape(), want.shape());
      for (std::size_t i = 0; i < got.size(); ++i)
        ASSERT_TRUE(same_bits(got[i], want[i])) << "trial " << trial << " W " << x.dim(3) << " grad " << i;
    }
}

// The forward pool's eight- and four-at-a-time paths against a plain scan of each window (the
// first NaN tap ends it, else the first largest by strict >): ties, signed zeros, NaN
// payloads and infinities in any tap, odd sizes, tails.
TEST(Pooling, TwoByTwoPoolOfWideRowsMatchesTheScanBitForBit) {
  Rng rng(1336);
  const PoolWindow w = window(2, 2, {0, 0, 0, 0}, false);
  for (int trial = 0; trial < 40; ++trial) {
    const Tensor x = wide_pool_input(rng);
    const int H = x.dim(2), W = x.dim(3);
    const Tensor y = max_pool(x, w);
    const int P = H / 2, Q = W / 2;
    for (int pl = 0; pl < 4; ++pl)
      for (int p = 0; p < P; ++p)
        for (int q = 0; q < Q; ++q) {
          float m = -kInf;
          for (int t = 0; t < 4; ++t) {
            const float v = x[static_cast<std::size_t>(pl * H * W + (2 * p + t / 2) * W + 2 * q + t % 2)];
            if (v != v) {
              m = v;
              break;
            }
            if (v > m) m = v;
          }
          const float got = y[static_cast<std::size_t>((pl * P + p) * Q + q)];
          ASSERT_TRUE(same_bits(got, m)) << "trial " << trial << " W " << W << " at " << pl << "," << p << "," << q;
        }
  }
}

// With kernel = stride = size and no padding, max_pool is the legacy chains' max_pool2d bit for
// bit, NaN payloads and signed zeros included (so chain models can move to graphs unchanged).
TEST(Pooling, MaxPoolEqualsLegacyMaxPool2dBitForBit) {
  Rng rng(1332);
  const float specials[] = {kNan, bits_float(0x7fa00001u), bits_float(0xffc00123u), -0.0f, 0.0f, kInf, -kInf};
  for (int size = 1; size <= 3; ++size) {
    Tensor x = random_tensor({2, 3, 7, 8}, rng);
    for (auto& v : x.values())
      if (rng.below(6) == 0) v = specials[rng.below(7)];
    const Tensor legacy = max_pool2d(x, size);
    const Tensor y = max_pool(x, window(size, size, {0, 0, 0, 0}, false));
    ASSERT_EQ(y.shape(), legacy.shape());
    for (std::size_t i = 0; i < y.size(); ++i) ASSERT_TRUE(same_bits(y[i], legacy[i])) << "size " << size << " " << i;
  }
}

TEST(Pooling, GlobalAveragePoolEveryRankFromThree) {
  const Tensor x = iota({2, 3, 4});
  const Tensor y = global_average_pool(x);
  EXPECT_EQ(y.shape(), (std::vector<int>{2, 3, 1}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], 4.0f * i + 1.5f);
  Rng rng(1333);
  const Tensor z = random_tensor({2, 2, 3, 5}, rng);
  const Tensor g = global_average_pool(z);
  EXPECT_EQ(g.shape(), (std::vector<int>{2, 2, 1, 1}));
  for (int pl = 0; pl < 4; ++pl) {
    double s = 0.0;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 5; ++c) s += z[(pl * 3 + r) * 5 + c];
    EXPECT_NEAR(g[pl], s / 15, 1e-7);
  }
  EXPECT_THROW(global_average_pool(Tensor({2, 3})), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
