// Training on the simulated array: gradients equal finite differences of the loss, the
// configured faults act in the backward passes too, and both engines train bit-identically.
#include "workloads/training/chain_trainer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "kernels/sgd.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

// conv(3->5, k3, pad 1) + ReLU + pool 2 -> conv(5->6, k3, stride 2) + ReLU -> fc(24 -> 4)
Network tiny_network() {
  Network net;
  net.name = "tiny";
  net.channels = 3;
  net.height = net.width = 10;
  net.layers = {
      {"conv1", JobKind::forward_conv, 3, 5, 3, 1, 1, true, 2},
      {"conv2", JobKind::forward_conv, 5, 6, 3, 2, 0, true, 1},
      {"fc", JobKind::forward_fc, 24, 4, 1, 1, 0, false, 1},
  };
  return net;
}

struct Batch {
  Tensor images;
  std::vector<int> labels;
};

Batch random_batch(Rng& rng, int n) {
  Batch b{random_tensor({n, 3, 10, 10}, rng, 0.0f, 1.0f), {}};
  for (int i = 0; i < n; ++i) b.labels.push_back(static_cast<int>(rng.below(4)));
  return b;
}

TEST(Trainer, GradientsOfEveryLayerEqualCentralFiniteDifferencesOfTheLoss) {
  const Network net = tiny_network();
  NetworkParameters params = init_parameters(net, 11);
  Rng rng(2);
  for (auto& b : params.biases) b = random_tensor(b.shape(), rng, -0.1f, 0.1f);
  const Batch batch = random_batch(rng, 3);
  PeFaults none;
  FastEngine engine(preset("small"), none);
  Trainer trainer(net, params, engine);
  long long cycle = 0;
  trainer.forward_backward(batch.images, batch.labels, cycle);
  const Gradients g = trainer.gradients();
  int checked = 0;
  for (std::size_t layer = 0; layer < net.layers.size(); ++layer) {
    for (int pick = 0; pick < 12; ++pick) {
      const bool bias = pick % 4 == 3;
      Tensor& p = bias ? params.biases[layer] : params.weights[layer];
      const std::size_t i = static_cast<std::size_t>(rng.below(p.size()));
      const float saved = p[i], eps = 2e-3f;
      p[i] = saved + eps;
      const double up = trainer.forward_backward(batch.images, batch.labels, cycle).loss.loss;
      p[i] = saved - eps;
      const double down = trainer.forward_backward(batch.images, batch.labels, cycle).loss.loss;
      p[i] = saved;
      const double fd = (up - down) / (2.0 * static_cast<double>(eps));
      const double got = bias ? g.biases[layer][i] : g.weights[layer][i];
      EXPECT_NEAR(got, fd, 5e-4 + 0.02 * std::fabs(fd)) << net.layers[layer].name << (bias ? " bias " : " weight ") << i;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 36);
}

TEST(Trainer, FastAndCycleEnginesTrainBitIdenticallyUnderFaults) {
  const Network net = tiny_network();
  const ArrayConfig a = preset("small");
  HardwareFault w;  // a weight-register stuck-at on a used PE
  w.site = FaultSite::weight, w.row = 1, w.col = 2, w.bit = 22, w.kind = FaultKind::stuck_at_1;
  HardwareFault t;  // a transient in the second step's jobs
  t.site = FaultSite::product, t.row = 0, t.col = 1, t.bit = 24, t.kind = FaultKind::transient, t.cycle = 9000;
  const PeFaults faults(a, {w, t});
  NetworkParameters pf = init_parameters(net, 3), pc = pf;
  auto fast = make_engine("fast", a, faults);
  auto cycle_engine = make_engine("cycle", a, faults);
  Trainer tf(net, pf, *fast), tc(net, pc, *cycle_engine);
  OptimizerConfig oconf;
  oconf.lr = 0.05, oconf.momentum = 0.9, oconf.weight_decay = 1e-4;
  Sgd of(oconf, Trainer::parameter_specs(net, pf)), oc(oconf, Trainer::parameter_specs(net, pc));
  Rng rng(5);
  long long cf = 0, cc = 0;
  for (int step = 0; step < 2; ++step) {
    const Batch b = random_batch(rng, 4);
    const StepResult rf = tf.train_step(b.images, b.labels, of, cf);
    const StepResult rc = tc.train_step(b.images, b.labels, oc, cc);
    EXPECT_EQ(rf.cycles, rc.cycles);
    EXPECT_EQ(rf.loss.loss, rc.loss.loss);
  }
  ASSERT_GT(cf, 9000);  // the transient fell inside the run
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_EQ(testing::count_bit_differences(pf.weights[i], pc.weights[i]), 0) << net.layers[i].name;
    EXPECT_EQ(testing::count_bit_differences(pf.biases[i], pc.biases[i]), 0) << net.layers[i].name;
  }
}

TEST(Trainer, AFaultTheForwardPassNeverMeetsStillCorruptsTheWeightGradient) {
  // One conv layer (3 -> 4 channels, 10x10 kernel: logits straight out). Its forward
  // job uses rows 0..2 only, so a stuck-at in PE(5, 1) leaves the loss bit-identical;
  // the backward-weight job streams the batch through the rows (row 5 = sample 5) and
  // holds dY[5][1] in that PE's weight register.
  Network net;
  net.name = "one_conv";
  net.channels = 3;
  net.height = net.width = 10;
  net.layers = {{"conv", JobKind::forward_conv, 3, 4, 10, 1, 0, false, 1}};
  const ArrayConfig a = preset("small");
  HardwareFault w;
  w.site = FaultSite::weight, w.row = 5, w.col = 1, w.bit = 29, w.kind = FaultKind::stuck_at_0;
  const PeFaults faulty(a, {w}), none;
  NetworkParameters p1 = init_parameters(net, 8), p2 = p1;
  FastEngine healthy(a, none), broken(a, faulty);
  Trainer th(net, p1, healthy), tb(net, p2, broken);
  Rng rng(9);
  Batch b{random_tensor({8, 3, 10, 10}, rng, 0.0f, 1.0f), {0, 1, 2, 3, 0, 1, 2, 3}};
  long long c1 = 0, c2 = 0;
  const StepResult rh = th.forward_backward(b.images, b.labels, c1), rb = tb.forward_backward(b.images, b.labels, c2);
  EXPECT_EQ(rh.loss.loss, rb.loss.loss);
  const Tensor& gh = th.gradients().weights[0];
  const Tensor& gb = tb.gradients().weights[0];
  // Only output channel 1's gradient changes (column 1 serves it).
  const std::size_t per_channel = gh.size() / 4;
  for (std::size_t i = 0; i < gh.size(); ++i)
    if (i / per_channel != 1) {
      ASSERT_TRUE(testing::same_bits(gh[i], gb[i])) << i;
    }
  long long changed = 0;
  for (std::size_t i = per_channel; i < 2 * per_channel; ++i) changed += !testing::same_bits(gh[i], gb[i]);
  EXPECT_GT(changed, static_cast<long long>(per_channel / 2));
}

}  // namespace
}  // namespace accsim
