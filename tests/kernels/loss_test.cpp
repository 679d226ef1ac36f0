#include "kernels/loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

using testing::random_tensor;
using testing::same_bits;

// Textbook mean cross-entropy in double, without the max subtraction (moderate logits only).
double naive_loss(const std::vector<double>& x, int N, int K, const std::vector<int>& labels) {
  double total = 0.0;
  for (int n = 0; n < N; ++n) {
    double sum = 0.0;
    for (int k = 0; k < K; ++k) sum += std::exp(x[n * K + k]);
    total += -std::log(std::exp(x[n * K + labels[n]]) / sum);
  }
  return total / N;
}

TEST(SoftmaxCrossEntropyLoss, GradientMatchesCentralFiniteDifferencesOfADoublePrecisionLoss) {
  Rng rng(31);
  const int N = 4, K = 10;
  const Tensor logits = random_tensor({N, K}, rng, -3.0f, 3.0f);
  const std::vector<int> labels{3, 0, 9, 3};
  const auto r = softmax_cross_entropy(logits, labels);
  std::vector<double> x(logits.values().begin(), logits.values().end());
  // Step 1e-4: truncation error h^2/6 * |f'''| <= 1e-9, rounding 1e-16 / h = 1e-12; the
  // kernel's gradient is rounded to fp32 (|g| <= 1/N, so <= 2^-24 / 4): tolerance 1e-7.
  const double h = 1e-4;
  for (int i = 0; i < N * K; ++i) {
    const double keep = x[i];
    x[i] = keep + h;
    const double up = naive_loss(x, N, K, labels);
    x[i] = keep - h;
    const double down = naive_loss(x, N, K, labels);
    x[i] = keep;
    EXPECT_NEAR(r.grad[i], (up - down) / (2 * h), 1e-7) << i;
  }
}

TEST(SoftmaxCrossEntropyLoss, LossAndGradientEqualANaiveDoubleSoftmaxReference) {
  Rng rng(32);
  const int N = 5, K = 7;
  const Tensor logits = random_tensor({N, K}, rng, -5.0f, 5.0f);
  const std::vector<int> labels{0, 6, 2, 2, 4};
  const auto r = softmax_cross_entropy(logits, labels);
  const std::vector<double> x(logits.values().begin(), logits.values().end());
  EXPECT_NEAR(r.loss, naive_loss(x, N, K, labels), 1e-12);
  EXPECT_FALSE(r.non_finite);
  for (int n = 0; n < N; ++n) {
    double sum = 0.0;
    for (int k = 0; k < K; ++k) sum += std::exp(x[n * K + k]);
    for (int k = 0; k < K; ++k) {
      const double want = (std::exp(x[n * K + k]) / sum - (k == labels[n])) / N;
      EXPECT_FLOAT_EQ(r.grad[n * K + k], static_cast<float>(want)) << n << "," << k;
    }
  }
}

TEST(SoftmaxCrossEntropyLoss, HugeFiniteLogitsGiveAFiniteLossAndGradient) {
  const float big = 1e30f, top = std::numeric_limits<float>::max();
  Tensor logits({4, 3});
  logits.values() = {big, -big, 0.0f,    // label 1: loss 2e30
                     big, big, big,      // label 2: loss log 3
                     top, -top, 0.0f,    // label 0: loss 0
                     -top, -top, -top};  // label 1: loss log 3
  const auto r = softmax_cross_entropy(logits, {1, 2, 0, 1});
  EXPECT_FALSE(r.non_finite);
  ASSERT_TRUE(std::isfinite(r.loss));
  EXPECT_NEAR(r.loss, (2.0 * static_cast<double>(big) + 2.0 * std::log(3.0)) / 4.0, 1e-12 * 2e30 / 4);
  for (float g : r.grad.values()) EXPECT_TRUE(std::isfinite(g));
  // Row 0: softmax is one-hot on class 0, so grad = ([1, 0, 0] - [0, 1, 0]) / 4.
  EXPECT_EQ(r.grad[0], 0.25f);
  EXPECT_EQ(r.grad[1], -0.25f);
  EXPECT_EQ(r.grad[2], 0.0f);
  // Row 1: uniform softmax: grad = ([1, 1, 1] / 3 - [0, 0, 1]) / 4.
  EXPECT_FLOAT_EQ(r.grad[3], 1.0f / 12.0f);
  EXPECT_FLOAT_EQ(r.grad[5], -2.0f / 12.0f);
  EXPECT_EQ(r.predicted, (std::vector<int>{0, 0, 0, 0}));
}

TEST(SoftmaxCrossEntropyLoss, NanOrInfLogitsAreReportedNonFiniteWithNanLossAndNanGradientRowsWithoutThrowing) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  Tensor logits({4, 3});
  logits.values() = {0.5f, -1.0f, 2.0f,  // finite
                     0.5f, nan, 2.0f,    // NaN
                     inf, 0.0f, 1.0f,    // +Inf
                     -inf, 0.0f, 1.0f};  // -Inf
  const std::vector<int> labels{2, 0, 0, 1};
  CrossEntropyResult r;
  ASSERT_NO_THROW(r = softmax_cross_entropy(logits, labels));
  EXPECT_TRUE(r.non_finite);
  EXPECT_TRUE(std::isnan(r.loss));
  for (int i = 3; i < 12; ++i) EXPECT_TRUE(std::isnan(r.grad[i])) << i;
  // The finite sample's gradient is what it would be in a finite batch of the same size.
  Tensor finite = logits;
  for (int i = 3; i < 12; ++i) finite[i] = 0.0f;
  const auto f = softmax_cross_entropy(finite, labels);
  EXPECT_FALSE(f.non_finite);
  EXPECT_TRUE(std::isfinite(f.loss));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(same_bits(r.grad[i], f.grad[i])) << i;
  EXPECT_EQ(r.predicted[1], 1);  // NaN counts as the maximum (as torch.argmax)
  EXPECT_EQ(r.predicted[2], 0);
  EXPECT_EQ(r.correct, 2);       // sample 0 (class 2) and sample 2 (its Inf is class 0, the label)
  // Each kind alone is enough to raise the flag.
  for (float bad : {nan, inf, -inf}) {
    Tensor one({1, 3}, 1.0f);
    one[1] = bad;
    const auto o = softmax_cross_entropy(one, {0});
    EXPECT_TRUE(o.non_finite) << bad;
    EXPECT_FALSE(std::isfinite(o.loss)) << bad;
  }
}

TEST(SoftmaxCrossEntropyLoss, PredictionIsTheFirstMaximumAndCorrectCountsMatchingLabels) {
  Tensor logits({3, 4});
  logits.values() = {1.0f, 3.0f, 3.0f, 0.0f,   // tie: class 1
                     -0.0f, 0.0f, -1.0f, -2.0f, // signed-zero tie: class 0
                     0.0f, 0.0f, 0.0f, 5.0f};
  const auto r = softmax_cross_entropy(logits, {1, 1, 3});
  EXPECT_EQ(r.predicted, (std::vector<int>{1, 0, 3}));
  EXPECT_EQ(r.correct, 2);
}

TEST(SoftmaxCrossEntropyLoss, AcceptsNC11LogitsAndReturnsTheGradientInTheSameShape) {
  Rng rng(33);
  const Tensor flat = random_tensor({3, 5}, rng);
  const auto a = softmax_cross_entropy(flat, {0, 1, 4});
  const auto b = softmax_cross_entropy(flat.reshaped({3, 5, 1, 1}), {0, 1, 4});
  EXPECT_EQ(b.grad.shape(), (std::vector<int>{3, 5, 1, 1}));
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(testing::count_bit_differences(a.grad, b.grad.reshaped({3, 5})), 0);
}

TEST(SoftmaxCrossEntropyLoss, RejectsBadShapesLabelsOutOfRangeAndLabelCountMismatch) {
  const Tensor logits({2, 3});
  EXPECT_THROW(softmax_cross_entropy(Tensor({2, 3, 2, 1}), {0, 0}), std::invalid_argument);
  EXPECT_THROW(softmax_cross_entropy(Tensor({6}), {0, 0}), std::invalid_argument);
  EXPECT_THROW(softmax_cross_entropy(Tensor({0, 3}), {}), std::invalid_argument);
  EXPECT_THROW(softmax_cross_entropy(logits, {0}), std::invalid_argument);
  EXPECT_THROW(softmax_cross_entropy(logits, {0, 3}), std::invalid_argument);
  EXPECT_THROW(softmax_cross_entropy(logits, {-1, 0}), std::invalid_argument);
  EXPECT_NO_THROW(softmax_cross_entropy(logits, {2, 0}));
}

}  // namespace
}  // namespace accsim
