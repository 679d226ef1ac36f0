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

TEST(Sgd, TwoStepsMatchAHandComputedSequenceWithMomentumAndWeightDecayExactly) {
  // Dyadic values: every intermediate is exact in fp32, so the expected values are exact.
  // lr 0.5, momentum 0.5, weight decay 0.25, p0 = 2, g1 = 1, g2 = 0.5:
  //   step 1: d = 1 + 0.25*2 = 1.5;        v = 1.5 (first step: v = d);  p = 2 - 0.75 = 1.25
  //   step 2: d = 0.5 + 0.25*1.25 = 0.8125; v = 0.5*1.5 + 0.8125 = 1.5625; p = 1.25 - 0.78125 = 0.46875
  Sgd sgd({0.5f, 0.5f, 0.25f}, {{1}});
  Tensor p = scalar(2.0f);
  const Tensor g1 = scalar(1.0f), g2 = scalar(0.5f);
  sgd.step({&p}, {&g1});
  EXPECT_EQ(p[0], 1.25f);
  EXPECT_EQ(sgd.state().velocity[0][0], 1.5f);
  EXPECT_EQ(sgd.state().steps, 1);
  sgd.step({&p}, {&g2});
  EXPECT_EQ(p[0], 0.46875f);
  EXPECT_EQ(sgd.state().velocity[0][0], 1.5625f);
  EXPECT_EQ(sgd.state().steps, 2);
}

TEST(Sgd, TwoStepsMatchAHandComputedDecimalSequenceForTypicalHyperparameters) {
  // lr 0.1, momentum 0.9, weight decay 0.01, p0 = 1, g1 = 0.5, g2 = 0.25:
  //   step 1: d = 0.51;                 v = 0.51;                     p = 1 - 0.051 = 0.949
  //   step 2: d = 0.25 + 0.00949 = 0.25949; v = 0.459 + 0.25949 = 0.71849; p = 0.949 - 0.071849 = 0.877151
  Sgd sgd({0.1f, 0.9f, 0.01f}, {{1}});
  Tensor p = scalar(1.0f);
  const Tensor g1 = scalar(0.5f), g2 = scalar(0.25f);
  sgd.step({&p}, {&g1});
  EXPECT_NEAR(p[0], 0.949, 1e-6);
  sgd.step({&p}, {&g2});
  EXPECT_NEAR(sgd.state().velocity[0][0], 0.71849, 1e-6);
  EXPECT_NEAR(p[0], 0.877151, 1e-6);
}

TEST(Sgd, ZeroMomentumIsPlainGradientDescentWithWeightDecay) {
  // p0 = 2, lr 0.5, wd 0.25: step 1 d = 1.5, p = 1.25; step 2 d = 0.5 + 0.3125 = 0.8125, p = 0.84375
  Sgd sgd({0.5f, 0.0f, 0.25f}, {{1}});
  Tensor p = scalar(2.0f);
  const Tensor g1 = scalar(1.0f), g2 = scalar(0.5f);
  sgd.step({&p}, {&g1});
  sgd.step({&p}, {&g2});
  EXPECT_EQ(p[0], 0.84375f);
}

TEST(Sgd, ZeroWeightDecaySkipsTheDecayTermSoAnInfiniteParameterLeavesItsVelocityFinite) {
  // As PyTorch: with weight_decay == 0, d = g (not g + 0 * p, which is NaN for p = Inf).
  Sgd sgd({0.1f, 0.9f, 0.0f}, {{2}});
  Tensor p({2});
  p.values() = {std::numeric_limits<float>::infinity(), 1.0f};
  Tensor g({2}, 0.5f);
  sgd.step({&p}, {&g});
  EXPECT_EQ(sgd.state().velocity[0][0], 0.5f);
  EXPECT_EQ(sgd.state().velocity[0][1], 0.5f);
  EXPECT_EQ(p[1], 1.0f - 0.1f * 0.5f);
}

// Gradients of step t for a parameter of a given shape: a deterministic function of t.
Tensor gradient_at(int t, const std::vector<int>& shape, int which) {
  Rng rng(1000 + 10 * t + which);
  return random_tensor(shape, rng);
}

void run_steps(Sgd& sgd, std::vector<Tensor>& params, int from, int to) {
  for (int t = from; t < to; ++t) {
    std::vector<Tensor> grads;
    for (std::size_t i = 0; i < params.size(); ++i) grads.push_back(gradient_at(t, params[i].shape(), static_cast<int>(i)));
    std::vector<Tensor*> ps;
    std::vector<const Tensor*> gs;
    for (std::size_t i = 0; i < params.size(); ++i) {
      ps.push_back(&params[i]);
      gs.push_back(&grads[i]);
    }
    sgd.step(ps, gs);
  }
}

TEST(Sgd, SavedAndRestoredStateContinuesTheTrajectoryBitForBit) {
  const std::vector<std::vector<int>> shapes{{3, 2, 2, 2}, {3}};
  const Sgd::Config cfg{0.05f, 0.9f, 5e-4f};
  Rng rng(7);
  std::vector<Tensor> params{random_tensor(shapes[0], rng), random_tensor(shapes[1], rng)};

  Sgd a(cfg, shapes);
  run_steps(a, params, 0, 3);
  const SgdState saved = a.state();  // what a checkpoint stores, with the parameters
  const std::vector<Tensor> saved_params = params;
  run_steps(a, params, 3, 7);

  Sgd b(cfg, shapes);
  b.load_state(saved);
  std::vector<Tensor> resumed = saved_params;
  run_steps(b, resumed, 3, 7);
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(testing::count_bit_differences(params[i], resumed[i]), 0) << i;
    EXPECT_EQ(testing::count_bit_differences(a.state().velocity[i], b.state().velocity[i]), 0) << i;
  }
  EXPECT_EQ(b.state().steps, 7);

  // Without the restored velocities the trajectory differs: the state is what carries it.
  Sgd fresh(cfg, shapes);
  std::vector<Tensor> restarted = saved_params;
  run_steps(fresh, restarted, 3, 7);
  EXPECT_GT(testing::count_bit_differences(params[0], restarted[0]), 0);
}

TEST(Sgd, RejectsBadConfigMismatchedParameterListsAndForeignState) {
  EXPECT_THROW(Sgd({0.0f, 0.9f, 0.0f}, {{1}}), std::invalid_argument);
  EXPECT_THROW(Sgd({0.1f, 1.0f, 0.0f}, {{1}}), std::invalid_argument);
  EXPECT_THROW(Sgd({0.1f, -0.1f, 0.0f}, {{1}}), std::invalid_argument);
  EXPECT_THROW(Sgd({0.1f, 0.9f, -1.0f}, {{1}}), std::invalid_argument);
  EXPECT_THROW(Sgd({std::numeric_limits<float>::quiet_NaN(), 0.9f, 0.0f}, {{1}}), std::invalid_argument);
  Sgd sgd({0.1f, 0.9f, 0.0f}, {{2}, {3}});
  Tensor p2({2}), p3({3}), g2({2}), g3({3});
  EXPECT_THROW(sgd.step({&p2}, {&g2}), std::invalid_argument);
  EXPECT_THROW(sgd.step({&p3, &p2}, {&g3, &g2}), std::invalid_argument);
  EXPECT_THROW(sgd.step({&p2, &p3}, {&g2, &g2}), std::invalid_argument);
  EXPECT_NO_THROW(sgd.step({&p2, &p3}, {&g2, &g3}));
  EXPECT_THROW(sgd.load_state(SgdState{1, {Tensor({2})}}), std::invalid_argument);
  EXPECT_THROW(sgd.load_state(SgdState{1, {Tensor({2}), Tensor({4})}}), std::invalid_argument);
  EXPECT_THROW(sgd.load_state(SgdState{-1, {Tensor({2}), Tensor({3})}}), std::invalid_argument);
  EXPECT_NO_THROW(sgd.load_state(SgdState{1, {Tensor({2}), Tensor({3})}}));
}

}  // namespace
}  // namespace accsim
