#include "workloads/models/inference.h"

#include <gtest/gtest.h>

#include "kernels/activations.h"
#include "kernels/reference_conv.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

Tensor random_image(std::uint64_t seed) {
  Rng rng(seed);
  return testing::random_tensor({1, 1, 28, 28}, rng, 0.0f, 1.0f);
}

TEST(Inference, FaultFreeLenetOnTheArrayMatchesTheReferenceLayerByLayer) {
  const Network net = lenet5();
  const NetworkParameters params = init_parameters(net, 3);
  const Tensor image = random_image(4);
  const PeFaults none;
  const NetworkRun run = run_network(net, params, image, *make_engine("fast", testing::preset("small"), none));
  ASSERT_EQ(run.layers.size(), 5u);
  for (std::size_t i = 0; i < run.layers.size(); ++i) {
    const LayerRun& l = run.layers[i];
    const Tensor want = reference_conv2d(l.job.shape, l.input, params.weights[i]);
    for (std::size_t e = 0; e < want.size(); ++e) ASSERT_NEAR(l.output[e], want[e], 1e-4) << l.job.layer;
  }
  EXPECT_EQ(run.layers[1].job.shape.h, 12);  // conv1 24x24 pooled to 12x12
  EXPECT_EQ(run.layers[2].job.shape.c, 256); // 16 x 4 x 4 flattened into fc1
  EXPECT_EQ(run.logits.shape(), (std::vector<int>{1, 10}));
}

TEST(Inference, JobsRunBackToBackSoTransientsPickTheirLayerByRunCycle) {
  const Network net = lenet5();
  const NetworkParameters params = init_parameters(net, 3);
  const PeFaults none;
  const NetworkRun run = run_network(net, params, random_image(5), *make_engine("fast", testing::preset("small"), none));
  long long t = 0;
  for (const auto& l : run.layers) {
    EXPECT_EQ(l.start_cycle, t);
    t += l.timing.cycles;
  }
  EXPECT_EQ(run.cycles, t);
  // A transient in conv2's window corrupts conv2 and nothing before it.
  const ArrayConfig a = testing::preset("small");
  const long long at = run.layers[1].start_cycle + 500;
  const PeFaults f(a, {{FaultSite::psum, 0, 3, 30, FaultKind::transient, at}});
  const NetworkRun hit = run_network(net, params, run.layers[0].input, *make_engine("cycle", a, f));
  EXPECT_EQ(testing::count_bit_differences(run.layers[0].output, hit.layers[0].output), 0);
  EXPECT_EQ(testing::count_bit_differences(run.layers[1].output, hit.layers[1].output), 1);
}

TEST(Inference, CycleAndFastEnginesGiveIdenticalNetworksUnderPermanentFaults) {
  const Network net = lenet5();
  const NetworkParameters params = init_parameters(net, 9);
  const ArrayConfig a = testing::preset("large");
  const PeFaults f(a, {{FaultSite::weight, 2, 3, 27, FaultKind::stuck_at_1}, {FaultSite::accumulator, 0, 1, 29, FaultKind::stuck_at_0}});
  const Tensor image = random_image(6);
  const NetworkRun c = run_network(net, params, image, *make_engine("cycle", a, f));
  const NetworkRun x = run_network(net, params, image, *make_engine("fast", a, f));
  for (std::size_t i = 0; i < c.layers.size(); ++i)
    EXPECT_EQ(testing::count_bit_differences(c.layers[i].output, x.layers[i].output), 0);
  EXPECT_EQ(c.cycles, x.cycles);
}

}  // namespace
}  // namespace accsim
