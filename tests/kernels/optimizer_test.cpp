// The optimiser interface (kernels/optimizer.h) for every optimiser of the table: named
// parameters, the state that resumes a trajectory bit for bit, and refused misuse.
#include "kernels/optimizer.h"

#include <gtest/gtest.h>

#include <vector>

#include "arch/random.h"
#include "kernels/lr_schedule.h"
#include "kernels/optimizer_table.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::random_tensor;

const std::vector<ParameterSpec> kSpecs = {{"conv.weight", {3, 2, 2, 2}}, {"conv.bias", {3}}};

// Every optimiser with weight decay, Nesterov where it applies.
std::vector<OptimizerConfig> configs() {
  std::vector<OptimizerConfig> out;
  for (const OptimizerKind& k : optimizer_kinds()) {
    OptimizerConfig c = k.defaults;
    c.weight_decay = 5e-3;
    c.nesterov = c.name == "sgd";
    out.push_back(c);
  }
  return out;
}

Tensor gradient_at(int t, const std::vector<int>& shape, int which) {
  Rng rng(1000 + 10 * t + which);
  return random_tensor(shape, rng);
}

// Steps [from, to) with a warm-up + cosine schedule over 8 steps, gradients fixed per step.
void run_steps(Optimizer& opt, std::vector<Tensor>& params, int from, int to) {
  LrScheduleConfig sc;
  sc.name = "cosine", sc.warmup_steps = 2;
  const LrSchedule schedule(sc, 0.05, 8);
  for (int t = from; t < to; ++t) {
    std::vector<Tensor> grads;
    std::vector<ParameterRef> refs;
    for (std::size_t i = 0; i < params.size(); ++i) grads.push_back(gradient_at(t, params[i].shape(), static_cast<int>(i)));
    for (std::size_t i = 0; i < params.size(); ++i) refs.push_back({kSpecs[i].name, &params[i], &grads[i]});
    opt.set_learning_rate(schedule.at(opt.steps()));
    opt.step(refs);
  }
}

std::vector<Tensor> initial_params() {
  Rng rng(7);
  return {random_tensor(kSpecs[0].shape, rng), random_tensor(kSpecs[1].shape, rng)};
}

TEST(Optimizer, SavedAndRestoredStateContinuesTheTrajectoryBitForBitForEveryOptimiser) {
  for (const OptimizerConfig& c : configs()) {
    SCOPED_TRACE(c.name);
    std::vector<Tensor> params = initial_params();
    const auto a = make_optimizer(c, kSpecs);
    run_steps(*a, params, 0, 3);
    const OptimizerState saved = a->state();  // what a checkpoint stores, with the parameters
    const std::vector<Tensor> saved_params = params;
    run_steps(*a, params, 3, 8);

    const auto b = make_optimizer(c, kSpecs);
    b->load_state(saved);
    std::vector<Tensor> resumed = saved_params;
    run_steps(*b, resumed, 3, 8);
    EXPECT_EQ(b->steps(), 8);
    for (std::size_t i = 0; i < params.size(); ++i) EXPECT_EQ(testing::count_bit_differences(params[i], resumed[i]), 0) << i;
    for (const auto& [name, t] : a->state().buffers)
      EXPECT_EQ(testing::count_bit_differences(t, b->state().buffers.at(name)), 0) << name;

    // Without the restored state the trajectory differs: the state is what carries it.
    const auto fresh = make_optimizer(c, kSpecs);
    std::vector<Tensor> restarted = saved_params;
    run_steps(*fresh, restarted, 3, 8);
    EXPECT_GT(testing::count_bit_differences(params[0], restarted[0]), 0);
  }
}

TEST(Optimizer, ParametersAreMatchedByNameNotByPosition) {
  for (const OptimizerConfig& c : configs()) {
    std::vector<Tensor> p1 = initial_params(), p2 = p1;
    const Tensor g0 = gradient_at(0, kSpecs[0].shape, 0), g1 = gradient_at(0, kSpecs[1].shape, 1);
    const auto a = make_optimizer(c, kSpecs), b = make_optimizer(c, kSpecs);
    a->step({{"conv.weight", &p1[0], &g0}, {"conv.bias", &p1[1], &g1}});
    b->step({{"conv.bias", &p2[1], &g1}, {"conv.weight", &p2[0], &g0}});
    for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(testing::count_bit_differences(p1[i], p2[i]), 0) << c.name;
  }
}

TEST(Optimizer, TheBuffersAreNamedAfterTheParameters) {
  EXPECT_EQ(make_optimizer(configs()[0], kSpecs)->state().buffers.count("momentum_buffer/conv.bias"), 1u);
  const auto adam = make_optimizer(configs()[1], kSpecs);
  EXPECT_EQ(adam->state().buffers.size(), 4u);
  EXPECT_EQ(adam->state().buffers.at("exp_avg_sq/conv.weight").shape(), kSpecs[0].shape);
}

TEST(Optimizer, RejectsMismatchedParameterListsAndForeignState) {
  for (const OptimizerConfig& c : configs()) {
    SCOPED_TRACE(c.name);
    EXPECT_THROW(make_optimizer(c, {{"p", {2}}, {"p", {3}}}), std::invalid_argument);
    const auto opt = make_optimizer(c, {{"a", {2}}, {"b", {3}}});
    Tensor p2({2}), p3({3}), g2({2}), g3({3});
    EXPECT_THROW(opt->step({{"a", &p2, &g2}}), std::invalid_argument);                     // b missing
    EXPECT_THROW(opt->step({{"a", &p2, &g2}, {"a", &p2, &g2}}), std::invalid_argument);    // a twice
    EXPECT_THROW(opt->step({{"a", &p2, &g2}, {"c", &p3, &g3}}), std::invalid_argument);    // unknown c
    EXPECT_THROW(opt->step({{"a", &p3, &g3}, {"b", &p2, &g2}}), std::invalid_argument);    // shapes swapped
    EXPECT_THROW(opt->step({{"a", &p2, &g2}, {"b", &p3, &g2}}), std::invalid_argument);    // gradient shape
    EXPECT_THROW(opt->step({{"a", &p2, nullptr}, {"b", &p3, &g3}}), std::invalid_argument);
    EXPECT_EQ(opt->steps(), 0);
    EXPECT_NO_THROW(opt->step({{"a", &p2, &g2}, {"b", &p3, &g3}}));
    OptimizerState s = opt->state();
    s.steps = -1;
    EXPECT_THROW(opt->load_state(s), std::invalid_argument);
    const auto other = make_optimizer(c, {{"a", {2}}, {"b", {4}}});
    EXPECT_THROW(opt->load_state(other->state()), std::invalid_argument);
    EXPECT_THROW(opt->set_learning_rate(-1.0), std::invalid_argument);
    EXPECT_NO_THROW(opt->load_state(opt->state()));
  }
  const auto sgd = make_optimizer(configs()[0], kSpecs), adam = make_optimizer(configs()[1], kSpecs);
  EXPECT_THROW(sgd->load_state(adam->state()), std::invalid_argument);  // another optimiser's buffers
  OptimizerConfig unknown;
  unknown.name = "lion";
  EXPECT_THROW(make_optimizer(unknown, kSpecs), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
