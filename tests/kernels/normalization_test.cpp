// Softmax, layer norm, batch norm and mean reductions against values printed by PyTorch 1.13
// and against double-precision references that enumerate each output's inputs by index.
#include "kernels/normalization.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

using testing::unflatten;

using testing::random_tensor;

const float kNan = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

Tensor make(std::vector<int> shape, std::vector<float> v) {
  Tensor t(std::move(shape));
  t.values().assign(v.begin(), v.end());
  return t;
}

void expect_near_all(const Tensor& y, const std::vector<float>& expected, float rel, const std::string& what) {
  ASSERT_EQ(y.size(), expected.size()) << what;
  for (std::size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(y[i], expected[i], rel * std::fabs(expected[i]) + 1e-7f) << what << " element " << i;
}

// Printed by PyTorch 1.13: torch.softmax(tensor([1., 2., 3.]), 0) and of [1000., 1001.].
TEST(Normalization, SoftmaxMatchesPyTorchIncludingLargeLogits) {
  expect_near_all(softmax(make({3}, {1, 2, 3}), 0), {0.0900305733f, 0.244728476f, 0.665240943f}, 1e-7f, "small");
  expect_near_all(softmax(make({2}, {1000, 1001}), -1), {0.268941432f, 0.731058598f}, 1e-7f, "max-subtracted");
}

// PyTorch 1.13: softmax([inf, 1]) = [nan, nan], softmax([-inf, -inf]) = [nan, nan], softmax([-inf, 1]) = [0, 1].
TEST(Normalization, SoftmaxInfinitiesAndNanStayInTheirSlice) {
  const Tensor y = softmax(make({4, 2}, {kInf, 1, -kInf, -kInf, -kInf, 1, kNan, 2}), 1);
  for (int i : {0, 1, 2, 3, 6, 7}) EXPECT_TRUE(std::isnan(y[i])) << i;
  EXPECT_EQ(y[4], 0.0f);
  EXPECT_EQ(y[5], 1.0f);
}

// Every element divided by the plain sum of exps over its slice (no max subtraction: moderate logits).
Tensor reference_softmax(const Tensor& x, int axis) {
  Tensor y(x.shape());
  for (std::size_t f = 0; f < x.size(); ++f) {
    auto idx = unflatten(f, x.shape());
    double sum = 0.0;
    for (int k = 0; k < x.dim(axis); ++k) {
      idx[axis] = k;
      std::size_t g = 0;
      for (std::size_t i = 0; i < x.rank(); ++i) g = g * x.dim(i) + idx[i];
      sum += std::exp(static_cast<double>(x[g]));
    }
    y[f] = static_cast<float>(std::exp(static_cast<double>(x[f])) / sum);
  }
  return y;
}

TEST(Normalization, SoftmaxEveryAxisPositiveAndNegativeMatchesReference) {
  Rng rng(1321);
  const Tensor x = random_tensor({2, 3, 4, 5}, rng, -6.0f, 6.0f);
  for (int axis = 0; axis < 4; ++axis) {
    const Tensor r = reference_softmax(x, axis);
    for (int given : {axis, axis - 4}) {
      const Tensor y = softmax(x, given);
      ASSERT_EQ(y.shape(), x.shape());
      for (std::size_t i = 0; i < y.size(); ++i)  // float x - max rounds by up to 2^-24 * 12 (relative in exp)
        ASSERT_NEAR(y[i], r[i], 1e-6f * r[i]) << "axis " << given << " element " << i;
    }
  }
  EXPECT_THROW(softmax(x, 4), std::invalid_argument);
  EXPECT_THROW(softmax(x, -5), std::invalid_argument);
}

// PyTorch 1.13: F.layer_norm(x, [4], weight=[1, 2, .5, -1], bias=[0, .1, .2, .3], eps=1e-5)
// for x = [[1, 2, 3, 4], [-1, .5, 10, 2]].
TEST(Normalization, LayerNormMatchesPyTorch) {
  const Tensor x = make({2, 4}, {1, 2, 3, 4, -1, 0.5f, 10, 2});
  const Tensor scale = make({4}, {1, 2, 0.5f, -1}), bias = make({4}, {0, 0.1f, 0.2f, 0.3f});
  const std::vector<float> torch{-1.34163547f, -0.794423699f, 0.423605919f, -1.04163551f,
                                 -0.912159145f, -1.01813054f, 1.03859794f,  0.505971432f};
  expect_near_all(layer_norm(x, scale, &bias, -1, 1e-5f), torch, 3e-7f, "axis -1");
  expect_near_all(layer_norm(x, scale, &bias, 1, 1e-5f), torch, 3e-7f, "axis 1");
}

// Mean and biased variance of each [axis, rank) block, by enumerating its elements by index.
Tensor reference_layer_norm(const Tensor& x, const Tensor& scale_full, const Tensor& bias_full, int axis, double eps) {
  std::size_t n = 1;
  for (std::size_t i = axis; i < x.rank(); ++i) n *= x.dim(i);
  Tensor y(x.shape());
  for (std::size_t f = 0; f < x.size(); ++f) {
    const std::size_t first = f - f % n;
    double s = 0.0, s2 = 0.0;
    for (std::size_t j = 0; j < n; ++j) s += x[first + j];
    const double mean = s / n;
    for (std::size_t j = 0; j < n; ++j) s2 += (x[first + j] - mean) * (x[first + j] - mean);
    y[f] = static_cast<float>((x[f] - mean) / std::sqrt(s2 / n + eps) * scale_full[f % n] + bias_full[f % n]);
  }
  return y;
}

TEST(Normalization, LayerNormOverTrailingDimsWithBroadcastScaleAndNoBias) {
  Rng rng(1322);
  const Tensor x = random_tensor({2, 3, 4, 5}, rng, -3.0f, 5.0f);
  const Tensor scale = random_tensor({4, 5}, rng), bias = random_tensor({4, 5}, rng);
  const Tensor y = layer_norm(x, scale, &bias, -2, 1e-5f);
  const Tensor r = reference_layer_norm(x, scale, bias, 2, 1e-5f);
  for (std::size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], r[i], 1e-6f * (1 + std::fabs(r[i]))) << i;
  // scale [1, 5] repeated over the 4 rows; no bias.
  const Tensor row = random_tensor({1, 5}, rng);
  Tensor row_full({4, 5});
  for (int i = 0; i < 20; ++i) row_full[i] = row[i % 5];
  const Tensor y2 = layer_norm(x, row, nullptr, 2, 1e-3f);
  const Tensor r2 = reference_layer_norm(x, row_full, Tensor({4, 5}, 0.0f), 2, 1e-3f);
  for (std::size_t i = 0; i < y2.size(); ++i) ASSERT_NEAR(y2[i], r2[i], 1e-6f * (1 + std::fabs(r2[i]))) << i;
  EXPECT_THROW(layer_norm(x, Tensor({4}), nullptr, 2, 1e-5f), std::invalid_argument);
  EXPECT_THROW(layer_norm(x, Tensor({5}), nullptr, 4, 1e-5f), std::invalid_argument);
}

TEST(Normalization, LayerNormNanStaysInItsRow) {
  Tensor x = make({2, 3}, {1, kNan, 3, 4, 5, 7});
  const Tensor y = layer_norm(x, Tensor({3}, 1.0f), nullptr, 1, 0.0f);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(y[i]));
  for (int i = 3; i < 6; ++i) EXPECT_FALSE(std::isnan(y[i]));
}

// PyTorch 1.13: F.batch_norm(x [1,2,2,2] = [1,2,3,4, 5,-6,.5,8], running_mean=[.5,-1],
// running_var=[2,3], weight=[1.5,-.5], bias=[.1,.2], training=False, eps=1e-3).
TEST(Normalization, BatchNormInferenceMatchesPyTorch) {
  const Tensor x = make({1, 2, 2, 2}, {1, 2, 3, 4, 5, -6, 0.5f, 8});
  const Tensor y = batch_norm_inference(x, make({2}, {1.5f, -0.5f}), make({2}, {0.1f, 0.2f}), make({2}, {0.5f, -1}),
                                        make({2}, {2, 3}), 1e-3f);
  expect_near_all(y,
                  {0.630197525f, 1.69059265f, 2.75098777f, 3.81138301f, -1.53176236f, 1.64313531f, -0.232940584f,
                   -2.39764357f},
                  3e-7f, "bn");
}

TEST(Normalization, BatchNormRandomRanksMatchDoubleFormula) {
  Rng rng(1323);
  for (const auto& shape : {std::vector<int>{3, 4}, {2, 4, 5}, {2, 4, 3, 3}}) {
    const Tensor x = random_tensor(shape, rng, -4.0f, 4.0f);
    const Tensor s = random_tensor({4}, rng), b = random_tensor({4}, rng), m = random_tensor({4}, rng),
                 v = random_tensor({4}, rng, 0.1f, 2.0f);
    const Tensor y = batch_norm_inference(x, s, b, m, v, 1e-5f);
    std::size_t inner = x.size() / (shape[0] * 4);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const int c = static_cast<int>(i / inner % 4);
      const double a = s[c] / std::sqrt(static_cast<double>(v[c]) + 1e-5);
      const double r = (x[i] - static_cast<double>(m[c])) * a + b[c];
      ASSERT_NEAR(y[i], r, 3e-7 * (std::fabs(x[i] * a) + std::fabs(m[c] * a) + std::fabs(b[c]))) << i;
    }
  }
}

TEST(Normalization, BatchNormRejectsWrongShapes) {
  const Tensor p({3}, 1.0f);
  EXPECT_THROW(batch_norm_inference(Tensor({3}), p, p, p, p, 1e-5f), std::invalid_argument);
  EXPECT_THROW(batch_norm_inference(Tensor({1, 4, 2}), p, p, p, p, 1e-5f), std::invalid_argument);
  EXPECT_THROW(batch_norm_inference(Tensor({1, 3, 2}), p, Tensor({1, 3}), p, p, 1e-5f), std::invalid_argument);
}

TEST(Normalization, ReduceMeanHandComputed) {
  const Tensor x = make({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(reduce_mean(x, {1}, false).values(), (std::vector<float>{2, 5}));
  EXPECT_EQ(reduce_mean(x, {-1}, true).shape(), (std::vector<int>{2, 1}));
  EXPECT_EQ(reduce_mean(x, {0}, false).values(), (std::vector<float>{2.5f, 3.5f, 4.5f}));
  const Tensor all = reduce_mean(x, {}, false);
  EXPECT_EQ(all.rank(), 0u);
  EXPECT_EQ(all[0], 3.5f);
  EXPECT_EQ(reduce_mean(x, {}, true).shape(), (std::vector<int>{1, 1}));
  EXPECT_THROW(reduce_mean(x, {1, -1}, false), std::invalid_argument);
  EXPECT_THROW(reduce_mean(x, {2}, false), std::invalid_argument);
}

TEST(Normalization, ReduceMeanRandomAxesMatchEnumeration) {
  Rng rng(1324);
  const Tensor x = random_tensor({3, 4, 2, 5}, rng);
  for (unsigned mask = 1; mask < 16; ++mask) {
    std::vector<int> axes;
    for (int a = 0; a < 4; ++a)
      if (mask >> a & 1) axes.push_back(a % 2 ? a - 4 : a);  // mix positive and negative
    const Tensor y = reduce_mean(x, axes, true);
    const Tensor flat = reduce_mean(x, axes, false);
    ASSERT_EQ(flat.values(), y.values());
    for (std::size_t o = 0; o < y.size(); ++o) {
      const auto oi = unflatten(o, y.shape());
      double sum = 0.0;
      std::size_t count = 0;
      for (std::size_t f = 0; f < x.size(); ++f) {
        const auto xi = unflatten(f, x.shape());
        bool match = true;
        for (int a = 0; a < 4; ++a) match = match && ((mask >> a & 1) || xi[a] == oi[a]);
        if (!match) continue;
        sum += x[f];
        ++count;
      }
      ASSERT_NEAR(y[o], sum / count, 1e-7) << "mask " << mask << " output " << o;
    }
  }
}

}  // namespace
}  // namespace accsim
