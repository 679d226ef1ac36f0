// The parameter-fault shortcut (only the corrupted channels' planes, then only the images
// whose activations differ) gives the same results, bit for bit, as rerunning the whole
// network with the corrupted parameters.
#include "workloads/pvf/parameter_fault_evaluator.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace accsim {
namespace {

ParameterFaultModel fault_model(ParameterFaultKind kind, std::uint64_t count = 1, double rate = 0.0) {
  ParameterFaultModel m;
  m.kind = kind;
  m.count = count;
  m.rate = rate;
  return m;
}

TEST(ParameterFaultEvaluator, SetNamesEveryLayersWeightAndBiasInOrder) {
  const Network net = lenet5();
  NetworkParameters params = init_parameters(net, 1);
  const ParameterSet set = network_parameter_set(net, params);
  ASSERT_EQ(set.size(), 2 * net.layers.size());
  EXPECT_EQ(set[0].name, "conv1.weight");
  EXPECT_EQ(set[1].name, "conv1.bias");
  EXPECT_EQ(set[3].name, "conv2.bias");
  EXPECT_EQ(set[2].data, params.weights[1].data());
}

TEST(ParameterFaultEvaluator, ShortcutIsBitIdenticalToRerunningTheNetwork) {
  int changed = 0, cases = 0;
  for (SwizzlePolicy swizzle : {SwizzlePolicy::none, SwizzlePolicy::rotate}) {
    ArrayConfig array = testing::preset("small");
    array.swizzle = swizzle;
    Network net = lenet5();
    if (swizzle == SwizzlePolicy::rotate) net.clip = {ClipMode::zero, 1.0f};
    const NetworkParameters params = init_parameters(net, 5);
    NetworkParameters faulty = params;
    ParameterSet set = network_parameter_set(net, faulty);
    const ParameterFaultEvaluator ev(array, net, params);
    Rng rng(17 + static_cast<std::uint64_t>(swizzle));
    const Tensor images = testing::random_tensor({3, 1, 28, 28}, rng, 0.0f, 1.0f);
    GoldenBatch g = ev.golden(images, {0, 0, 0});
    for (int i = 0; i < 3; ++i) g.labels[i] = g.predictions[i], g.correct[i] = 1;  // every image correct
    const std::vector<std::string> selectors{"conv1", "conv2", "fc1", "fc3", "all", "conv2.bias", "fc2.weight"};
    for (int trial = 0; trial < 60; ++trial) {
      ParameterTarget target;
      target.tensors = {selectors[rng.below(selectors.size())]};
      if (rng.below(2)) target.bits = {23, 24, 25, 26, 27, 28, 29, 30, 31};  // values change a lot
      const ParameterFaultModel model = rng.below(3) == 0 ? fault_model(ParameterFaultKind::mbf, 1 + rng.below(6))
                                                          : fault_model(ParameterFaultKind::sbf);
      const Injection inj = inject(set, resolve(target, set), model, rng);
      const BatchEffect fast = ev.evaluate(g, faulty, inj, true), full = ev.evaluate(g, faulty, inj, false);
      const std::string what = "trial " + std::to_string(trial) + " " + describe(inj.flips.front(), set);
      EXPECT_EQ(fast.trace, full.trace) << what;
      EXPECT_EQ(fast.predictions, full.predictions) << what;
      EXPECT_EQ(fast.correct_to_wrong, full.correct_to_wrong) << what;
      EXPECT_EQ(fast.nonfinite_images, full.nonfinite_images) << what;
      if (::testing::Test::HasFailure()) return;
      inj.undo(set);
      for (long long t : full.trace) changed += t > 0;
      ++cases;
    }
    for (std::size_t l = 0; l < params.weights.size(); ++l)  // undo restored every bit
      ASSERT_EQ(0, std::memcmp(faulty.weights[l].data(), params.weights[l].data(), params.weights[l].size() * 4));
  }
  EXPECT_EQ(cases, 120);
  EXPECT_GT(changed, 100);  // most corruptions reach some layer's output
}

}  // namespace
}  // namespace accsim
