#include "kernels/sgd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

using testing::random_tensor;

Tensor scalar(float v) { return Tensor({1}, v); }

OptimizerConfig sgd_config(double lr, double momentum, double weight_decay, bool nesterov = false) {
  OptimizerConfig c;
  c.lr = lr, c.momentum = momentum, c.weight_decay = weight_decay, c.nesterov = nesterov;
  return c;
}

float velocity(const Optimizer& o, const std::string& name, std::size_t i = 0) {
  return o.state().buffers.at("momentum_buffer/" + name)[i];
}

TEST(Sgd, TwoStepsMatchAHandComputedSequenceWithMomentumAndWeightDecayExactly) {
  // Dyadic values: every intermediate is exact in fp32, so the expected values are exact.
  // lr 0.5, momentum 0.5, weight decay 0.25, p0 = 2, g1 = 1, g2 = 0.5:
  //   step 1: d = 1 + 0.25*2 = 1.5;        v = 1.5 (first step: v = d);  p = 2 - 0.75 = 1.25
  //   step 2: d = 0.5 + 0.25*1.25 = 0.8125; v = 0.5*1.5 + 0.8125 = 1.5625; p = 1.25 - 0.78125 = 0.46875
  Sgd sgd(sgd_config(0.5, 0.5, 0.25), {{"p", {1}}});
  Tensor p = scalar(2.0f);
  const Tensor g1 = scalar(1.0f), g2 = scalar(0.5f);
  sgd.step({{"p", &p, &g1}});
  EXPECT_EQ(p[0], 1.25f);
  EXPECT_EQ(velocity(sgd, "p"), 1.5f);
  EXPECT_EQ(sgd.steps(), 1);
  sgd.step({{"p", &p, &g2}});
  EXPECT_EQ(p[0], 0.46875f);
  EXPECT_EQ(velocity(sgd, "p"), 1.5625f);
  EXPECT_EQ(sgd.steps(), 2);
}

TEST(Sgd, NesterovAddsTheMomentumTimesTheVelocityToTheStepExactly) {
  // lr 0.5, momentum 0.5, no decay, p0 = 2, g1 = 1, g2 = 0.5 (dyadic, exact):
  //   step 1: v = 1;                d = 1 + 0.5*1 = 1.5;      p = 2 - 0.75 = 1.25
  //   step 2: v = 0.5*1 + 0.5 = 1;  d = 0.5 + 0.5*1 = 1;      p = 1.25 - 0.5 = 0.75
  Sgd sgd(sgd_config(0.5, 0.5, 0.0, true), {{"p", {1}}});
  Tensor p = scalar(2.0f);
  const Tensor g1 = scalar(1.0f), g2 = scalar(0.5f);
  sgd.step({{"p", &p, &g1}});
  EXPECT_EQ(p[0], 1.25f);
  sgd.step({{"p", &p, &g2}});
  EXPECT_EQ(velocity(sgd, "p"), 1.0f);
  EXPECT_EQ(p[0], 0.75f);
}

TEST(Sgd, TwoStepsMatchAHandComputedDecimalSequenceForTypicalHyperparameters) {
  // lr 0.1, momentum 0.9, weight decay 0.01, p0 = 1, g1 = 0.5, g2 = 0.25:
  //   step 1: d = 0.51;                 v = 0.51;                     p = 1 - 0.051 = 0.949
  //   step 2: d = 0.25 + 0.00949 = 0.25949; v = 0.459 + 0.25949 = 0.71849; p = 0.949 - 0.071849 = 0.877151
  Sgd sgd(sgd_config(0.1, 0.9, 0.01), {{"p", {1}}});
  Tensor p = scalar(1.0f);
  const Tensor g1 = scalar(0.5f), g2 = scalar(0.25f);
  sgd.step({{"p", &p, &g1}});
  EXPECT_NEAR(p[0], 0.949f, 1e-6f);
  sgd.step({{"p", &p, &g2}});
  EXPECT_NEAR(velocity(sgd, "p"), 0.71849f, 1e-6f);
  EXPECT_NEAR(p[0], 0.877151f, 1e-6f);
}

TEST(Sgd, ZeroMomentumIsPlainGradientDescentWithWeightDecayAndKeepsNoBuffer) {
  // p = 2 - 0.5 * (1 + 0.25*2) = 1.25
  Sgd sgd(sgd_config(0.5, 0.0, 0.25), {{"p", {1}}});
  Tensor p = scalar(2.0f);
  const Tensor g = scalar(1.0f);
  sgd.step({{"p", &p, &g}});
  EXPECT_EQ(p[0], 1.25f);
  EXPECT_TRUE(sgd.state().buffers.empty());
}

TEST(Sgd, ZeroWeightDecaySkipsTheDecayTermSoAnInfiniteParameterLeavesItsVelocityFinite) {
  // As PyTorch: with weight_decay == 0, d = g (not g + 0 * p, which is NaN for p = Inf).
  Sgd sgd(sgd_config(0.1, 0.9, 0.0), {{"p", {2}}});
  Tensor p({2});
  p.values() = {std::numeric_limits<float>::infinity(), 1.0f};
  Tensor g({2}, 0.5f);
  sgd.step({{"p", &p, &g}});
  EXPECT_EQ(velocity(sgd, "p", 0), 0.5f);
  EXPECT_EQ(velocity(sgd, "p", 1), 0.5f);
  EXPECT_EQ(p[1], 1.0f - 0.1f * 0.5f);
}

TEST(Sgd, TheLearningRateSetBetweenStepsScalesTheNextStep) {
  Sgd sgd(sgd_config(0.5, 0.0, 0.0), {{"p", {1}}});
  Tensor p = scalar(2.0f);
  const Tensor g = scalar(1.0f);
  sgd.set_learning_rate(0.25);
  sgd.step({{"p", &p, &g}});
  EXPECT_EQ(p[0], 1.75f);
}

// Every option combination over tensors long enough for the vectorised loops and their
// tails (odd lengths), three steps, against the formulas one element at a time, bit for bit.
TEST(Sgd, LongTensorsMatchTheElementwiseFormulasBitForBitUnderEveryOption) {
  const float lr = 0.03f, mu = 0.9f, wd = 5e-4f;
  for (const bool decay : {false, true})
    for (const bool momentum : {false, true})
      for (const bool nesterov : {false, true}) {
        if (nesterov && !momentum) continue;  // rejected by the config
        SCOPED_TRACE(std::to_string(decay) + std::to_string(momentum) + std::to_string(nesterov));
        Rng rng(9);
        const std::vector<int> shape = {7, 37};
        Tensor p = random_tensor(shape, rng), want = p;
        std::vector<float> v(p.size());
        Sgd sgd(sgd_config(lr, momentum ? mu : 0.0, decay ? wd : 0.0, nesterov), {{"p", shape}});
        for (int step = 1; step <= 3; ++step) {
          const Tensor g = random_tensor(shape, rng);
          sgd.step({{"p", &p, &g}});
          for (std::size_t j = 0; j < want.size(); ++j) {
            float d = g[j];
            if (decay) d = d + wd * want[j];
            if (momentum) {
              v[j] = step == 1 ? d : mu * v[j] + d;
              d = nesterov ? d + mu * v[j] : v[j];
            }
            want[j] = want[j] - lr * d;
          }
          EXPECT_EQ(testing::count_bit_differences(p, want), 0) << "step " << step;
        }
      }
}

TEST(Sgd, RejectsBadConfig) {
  EXPECT_THROW(Sgd(sgd_config(0.0, 0.9, 0.0), {{"p", {1}}}), std::invalid_argument);
  EXPECT_THROW(Sgd(sgd_config(0.1, 1.0, 0.0), {{"p", {1}}}), std::invalid_argument);
  EXPECT_THROW(Sgd(sgd_config(0.1, -0.1, 0.0), {{"p", {1}}}), std::invalid_argument);
  EXPECT_THROW(Sgd(sgd_config(0.1, 0.9, -1.0), {{"p", {1}}}), std::invalid_argument);
  EXPECT_THROW(Sgd(sgd_config(0.1, 0.0, 0.0, true), {{"p", {1}}}), std::invalid_argument);
  EXPECT_THROW(Sgd(sgd_config(std::numeric_limits<double>::quiet_NaN(), 0.9, 0.0), {{"p", {1}}}),
               std::invalid_argument);
}

}  // namespace
}  // namespace accsim
