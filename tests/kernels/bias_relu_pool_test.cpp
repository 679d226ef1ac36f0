// bias_relu_pool (one image, one pass) is bit-identical to add_bias, clipped_relu and max_pool2d.
#include <gtest/gtest.h>

#include <limits>

#include "kernels/activations.h"
#include "test_util.h"

namespace accsim {
namespace {

TEST(BiasReluPool, EqualsAddBiasThenClippedReluThenMaxPoolBitForBitIncludingNanAndSignedZeros) {
  Rng rng(77);
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), bits_float(0x7fa00001u), -0.0f, 0.0f,
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(), 1e-45f};
  int cases = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const int k = 1 + static_cast<int>(rng.below(4)), h = 1 + static_cast<int>(rng.below(9)),
              w = 1 + static_cast<int>(rng.below(9)), pool = 1 + static_cast<int>(rng.below(3));
    const bool apply_relu = rng.below(2) != 0;
    ActivationClip clip;  // none, saturate or zero at a threshold the values reach
    clip.mode = static_cast<ClipMode>(rng.below(3));
    clip.threshold = 0.5f;
    if (h < pool || w < pool) continue;
    Tensor y = testing::random_tensor({1, k, h, w}, rng);
    for (auto& v : y.values())
      if (rng.below(5) == 0) v = specials[rng.below(7)];
    Tensor bias = testing::random_tensor({k}, rng);
    if (rng.below(4) == 0) bias[0] = -0.0f;
    Tensor expected = y;
    add_bias(expected, bias);
    if (apply_relu) expected = clipped_relu(expected, clip);
    if (pool > 1) expected = max_pool2d(expected, pool);
    std::vector<float> out(expected.size());
    bias_relu_pool(y.data(), k, h, w, bias.data(), apply_relu, clip, pool, out.data());
    for (std::size_t i = 0; i < out.size(); ++i)
      ASSERT_EQ(float_bits(out[i]), float_bits(expected[i])) << "trial " << trial << " element " << i;
    ++cases;
  }
  EXPECT_GT(cases, 100);
}

}  // namespace
}  // namespace accsim
