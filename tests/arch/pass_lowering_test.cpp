// The backward passes lowered onto the array primitive compute the textbook gradients.
#include "arch/pass_lowering.h"

#include <gtest/gtest.h>

#include <cmath>

#include "arch/number_format.h"
#include "kernels/reference_conv.h"
#include "test_util.h"

namespace accsim {
namespace {

using testing::random_tensor;

// Textbook gradients of y = conv(x, w) (stride, zero padding), accumulated in double.
struct Gradients {
  std::vector<double> dx, dw;
};

Gradients textbook_gradients(const ConvShape& l, const Tensor& x, const Tensor& w, const Tensor& dy) {
  Gradients g{std::vector<double>(x.size(), 0.0), std::vector<double>(w.size(), 0.0)};
  for (int n = 0; n < l.n; ++n)
    for (int k = 0; k < l.k; ++k)
      for (int p = 0; p < l.p(); ++p)
        for (int q = 0; q < l.q(); ++q) {
          const double d = dy[((static_cast<std::size_t>(n) * l.k + k) * l.p() + p) * l.q() + q];
          for (int c = 0; c < l.c; ++c)
            for (int r = 0; r < l.r; ++r)
              for (int s = 0; s < l.s; ++s) {
                const int y = p * l.stride + r - l.pad, xx = q * l.stride + s - l.pad;
                if (y < 0 || y >= l.h || xx < 0 || xx >= l.w) continue;
                const std::size_t xi = ((static_cast<std::size_t>(n) * l.c + c) * l.h + y) * l.w + xx;
                const std::size_t wi = ((static_cast<std::size_t>(k) * l.c + c) * l.r + r) * l.s + s;
                g.dx[xi] += d * w[wi];
                g.dw[wi] += d * x[xi];
              }
        }
  return g;
}

void expect_close(const Tensor& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < want.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-4 * (1.0 + std::fabs(want[i]))) << what << " element " << i;
}

ConvJob random_layer(Rng& rng, bool fc) {
  ConvJob job;
  job.layer = "layer";
  ConvShape& s = job.shape;
  s.n = 1 + static_cast<int>(rng.below(3));
  s.c = 1 + static_cast<int>(rng.below(7));
  s.k = 1 + static_cast<int>(rng.below(7));
  if (fc) {
    job.kind = JobKind::forward_fc;
    return job;
  }
  s.r = 1 + static_cast<int>(rng.below(4));
  s.s = 1 + static_cast<int>(rng.below(4));
  s.stride = 1 + static_cast<int>(rng.below(3));
  s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(std::max(s.r, s.s) + 1)));
  s.h = std::max(1, s.r - 2 * s.pad) + static_cast<int>(rng.below(7));
  s.w = std::max(1, s.s - 2 * s.pad) + static_cast<int>(rng.below(7));
  return job;
}

TEST(PassLowering, BackwardJobsOnTheReferenceConvEqualTextbookGradientsOnRandomLayers) {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    Rng rng(seed);
    const ConvJob layer = random_layer(rng, seed % 5 == 0);
    const ConvShape& l = layer.shape;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
    const Tensor dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const Gradients want = textbook_gradients(l, x, w, dy);

    const LoweredJob bd = lower_backward_data(layer, w, dy);
    EXPECT_EQ(bd.job.kind, JobKind::backward_data);
    EXPECT_EQ(bd.job.shape.stride, 1);
    EXPECT_EQ(bd.job.shape.pad, 0);
    const Tensor dx = lift_output(layer, Pass::backward_data, reference_conv2d(bd.job.shape, bd.streamed, bd.stationary));
    EXPECT_EQ(dx.shape(), output_tensor_shape(layer, Pass::backward_data));
    expect_close(dx, want.dx, "dX");

    const LoweredJob bw = lower_backward_weight(layer, x, dy);
    EXPECT_EQ(bw.job.kind, JobKind::backward_weight);
    const Tensor dw = lift_output(layer, Pass::backward_weight, reference_conv2d(bw.job.shape, bw.streamed, bw.stationary));
    EXPECT_EQ(dw.shape(), output_tensor_shape(layer, Pass::backward_weight));
    expect_close(dw, want.dw, "dW");
  }
}

// The backward-data job's input: dY[p][q] at row (R-1-pad) + p*stride, column
// (S-1-pad) + q*stride of a zeroed map, positions outside the map dropped; written a run
// of columns at a time (one copy at stride 1, the whole tensor for 1x1 kernels).
TEST(PassLowering, BackwardDataInputIsTheZeroInsertedOutputGradientBitForBit) {
  for (std::uint64_t seed = 1; seed <= 80; ++seed) {
    Rng rng(seed);
    const ConvJob layer = random_layer(rng, seed % 5 == 0);
    const ConvShape& l = layer.shape;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Tensor w = random_tensor({l.k, l.c, l.r, l.s}, rng), dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const LoweredJob bd = lower_backward_data(layer, w, dy);
    const ConvShape& j = bd.job.shape;
    Tensor want({j.n, j.c, j.h, j.w});
    for (int n = 0; n < l.n; ++n)
      for (int k = 0; k < l.k; ++k)
        for (int p = 0; p < l.p(); ++p)
          for (int q = 0; q < l.q(); ++q) {
            const int y = l.r - 1 - l.pad + p * l.stride, x = l.s - 1 - l.pad + q * l.stride;
            if (y < 0 || y >= j.h || x < 0 || x >= j.w) continue;
            want[((static_cast<std::size_t>(n) * j.c + k) * j.h + y) * j.w + x] =
                dy[((static_cast<std::size_t>(n) * l.k + k) * l.p() + p) * l.q() + q];
          }
    ASSERT_EQ(bd.streamed.shape(), want.shape());
    EXPECT_EQ(testing::count_bit_differences(bd.streamed, want), 0);
  }
}

// The lowering writes its operands and lifts dW with plain loops; the index maps that
// carry fault masks between job and layer (stationary_origin, output_destination) must
// say the same, element for element, or a mapped fault would land on other elements.
TEST(PassLowering, LoweredOperandsAndLiftedOutputsFollowTheIndexMaps) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    Rng rng(seed);
    const ConvJob layer = random_layer(rng, seed % 5 == 0);
    const ConvShape& l = layer.shape;
    SCOPED_TRACE("seed " + std::to_string(seed));
    const Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
    const Tensor dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const struct {
      Pass pass;
      LoweredJob lowered;
      const Tensor& stationary;
    } cases[] = {{Pass::backward_data, lower_backward_data(layer, w, dy), w},
                 {Pass::backward_weight, lower_backward_weight(layer, x, dy), dy}};
    for (const auto& c : cases) {
      const auto origin = stationary_origin(layer, c.pass);
      ASSERT_EQ(origin.size(), c.lowered.stationary.size());
      for (std::size_t i = 0; i < origin.size(); ++i)
        ASSERT_EQ(float_bits(c.lowered.stationary[i]),
                  float_bits(origin[i] < 0 ? 0.0f : c.stationary[static_cast<std::size_t>(origin[i])]))
            << to_string(c.pass) << " stationary element " << i;
      const ConvShape& j = c.lowered.job.shape;
      const Tensor job_output = random_tensor({j.n, j.k, j.p(), j.q()}, rng);
      const Tensor lifted = lift_output(layer, c.pass, job_output);
      Tensor want(output_tensor_shape(layer, c.pass));
      const auto dest = output_destination(layer, c.pass);
      for (std::size_t i = 0; i < dest.size(); ++i)
        if (dest[i] >= 0) want[static_cast<std::size_t>(dest[i])] = job_output[i];
      EXPECT_EQ(testing::count_bit_differences(lifted, want), 0) << to_string(c.pass) << " lifted output";
    }
  }
}

TEST(PassLowering, ForwardJobIsTheLayerItself) {
  Rng rng(3);
  const ConvJob layer = random_layer(rng, false);
  const ConvShape& l = layer.shape;
  const Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
  const LoweredJob f = lower_forward(layer, x, w);
  EXPECT_EQ(f.job.kind, layer.kind);
  EXPECT_TRUE(testing::count_bit_differences(f.stationary, w) == 0);
  EXPECT_EQ(stationary_origin(layer, Pass::forward).size(), w.size());
}

// A backward-data job's output is dX as it is: lifting a temporary moves it (no copy of
// dX in a training step).
TEST(PassLowering, LiftingABackwardDataOutputMovesIt) {
  Rng rng(4);
  const ConvJob layer = random_layer(rng, false);
  const ConvShape j = lowered_shape(layer, Pass::backward_data);
  Tensor out = random_tensor({j.n, j.k, j.p(), j.q()}, rng);
  const Tensor want = out;
  const float* storage = out.data();
  const Tensor dx = lift_output(layer, Pass::backward_data, std::move(out));
  EXPECT_EQ(dx.data(), storage);
  EXPECT_EQ(testing::count_bit_differences(dx, want), 0);
}

TEST(PassLowering, StationaryOriginNamesEveryLayerElementExactlyOnce) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Rng rng(seed);
    const ConvJob layer = random_layer(rng, false);
    for (Pass pass : {Pass::forward, Pass::backward_data, Pass::backward_weight}) {
      const auto origin = stationary_origin(layer, pass);
      std::size_t layer_elements = 1;
      for (int d : stationary_tensor_shape(layer, pass)) layer_elements *= static_cast<std::size_t>(d);
      std::vector<int> seen(layer_elements, 0);
      for (long long o : origin)
        if (o >= 0) ++seen.at(static_cast<std::size_t>(o));
      for (std::size_t i = 0; i < seen.size(); ++i)
        ASSERT_EQ(seen[i], 1) << "seed " << seed << " pass " << to_string(pass) << " element " << i;
    }
  }
}

TEST(PassLowering, MismatchedOperandShapesAreRejected) {
  ConvJob layer;
  layer.shape = ConvShape{1, 2, 5, 5, 3, 3, 3, 1, 0};
  EXPECT_THROW(lower_backward_data(layer, Tensor({3, 2, 3, 3}), Tensor({1, 3, 4, 4})), std::invalid_argument);
  EXPECT_THROW(lower_backward_weight(layer, Tensor({1, 2, 5, 4}), Tensor({1, 3, 3, 3})), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
