// The pass error model is sound (every element the array corrupts is in its masks),
// exact where it gives bit operations (weight-register stuck-ats reproduce the faulty
// array bit for bit on a healthy one), and says what it found in one line.
#include "faultmodels/pass_error_model.h"

#include <gtest/gtest.h>

#include "arch/job_timing.h"
#include "test_util.h"
#include "workloads/engines.h"
#include "workloads/network.h"

namespace accsim {
namespace {

using testing::preset;
using testing::random_tensor;

HardwareFault stuck(FaultSite site, int row, int col, int bit, FaultKind kind) {
  HardwareFault f;
  f.site = site, f.row = row, f.col = col, f.bit = bit, f.kind = kind;
  return f;
}

ConvJob lenet_conv2() { return layer_job(lenet5().layers[1], 1, 12, 12, 1); }

TEST(PassErrorModel, WeightStuckAtWithoutSwizzleReadsAsAModularRule) {
  ArrayConfig a = preset("small");
  const auto m = map_pass_faults(lenet_conv2(), Pass::forward, a,
                                 {stuck(FaultSite::weight, 5, 3, 28, FaultKind::stuck_at_0)}, 0);
  EXPECT_EQ(m.summary,
            "conv2 fwd: weights[oc%8==3][ic%8==5] bit 28 forced 0: 50 of 2400 weights, "
            "all 64 output pixels of channels 3 and 11");
}

TEST(PassErrorModel, WeightStuckAtUnderRotateListsTheChannelPairsItMovesTo) {
  ArrayConfig a = preset("small");
  a.swizzle = SwizzlePolicy::rotate;
  const auto m = map_pass_faults(lenet_conv2(), Pass::forward, a,
                                 {stuck(FaultSite::weight, 5, 3, 28, FaultKind::stuck_at_0)}, 0);
  EXPECT_EQ(m.summary,
            "conv2 fwd: weights[(oc,ic) in {(3,5), (10,4)}] bit 28 forced 0: 50 of 2400 weights, "
            "all 64 output pixels of channels 3 and 10");
}

TEST(PassErrorModel, BackwardDataSwapsTheRolesOfRowsAndColumns) {
  // In backward-data the layer's output channels stream through the rows.
  const auto m = map_pass_faults(lenet_conv2(), Pass::backward_data, preset("small"),
                                 {stuck(FaultSite::weight, 5, 3, 28, FaultKind::stuck_at_1)}, -1);
  EXPECT_EQ(m.summary,
            "conv2 bwd_data: weights[oc%8==5][ic%8==3] bit 28 forced 1: 50 of 2400 weights, "
            "all 144 input-gradient pixels of input channel 3");
}

TEST(PassErrorModel, TransientsWithoutATimelineAreListedAsUnplaced) {
  HardwareFault t = stuck(FaultSite::product, 1, 1, 20, FaultKind::transient);
  t.cycle = 100;
  const auto m = map_pass_faults(lenet_conv2(), Pass::backward_weight, preset("small"), {t}, -1);
  ASSERT_EQ(m.unplaced.size(), 1u);
  EXPECT_TRUE(m.effects.empty());
  EXPECT_NE(m.summary.find("not placed"), std::string::npos);
}

// A random layer, pass and 1..3 faults of any site and kind.
struct Case {
  ArrayConfig array;
  ConvJob layer;
  Pass pass = Pass::forward;
  std::vector<HardwareFault> faults;
  long long start = 0;
};

Case random_case(std::uint64_t seed, bool weight_stuck_only) {
  Rng rng(seed);
  Case c;
  c.array = preset(rng.below(3) == 0 ? "large" : "small");
  c.array.swizzle = static_cast<SwizzlePolicy>(rng.below(4));
  if (rng.below(2)) c.array.stripe_length = 1 + static_cast<int>(rng.below(12));
  ConvShape& s = c.layer.shape;
  s.n = 1 + static_cast<int>(rng.below(2));
  s.c = 1 + static_cast<int>(rng.below(20));
  s.k = 1 + static_cast<int>(rng.below(20));
  s.r = s.s = 1 + static_cast<int>(rng.below(3));
  s.pad = static_cast<int>(rng.below(static_cast<std::uint64_t>(s.r)));
  s.h = s.r + static_cast<int>(rng.below(5));
  s.w = s.s + static_cast<int>(rng.below(5));
  c.layer.layer = "l";
  c.layer.swizzle_seed = rng.next();
  c.pass = static_cast<Pass>(rng.below(3));
  // Zero-inserted gradient positions cannot carry a layer-level weight mask.
  s.stride = (weight_stuck_only && c.pass == Pass::backward_weight) ? 1 : 1 + static_cast<int>(rng.below(2));
  c.start = static_cast<long long>(rng.below(40));
  const ConvShape job = lowered_shape(c.layer, c.pass);
  const long long cycles = closed_form_timing(job, c.array).cycles;
  const int nfaults = 1 + static_cast<int>(rng.below(3));
  for (int i = 0; i < nfaults; ++i) {
    HardwareFault f;
    f.site = weight_stuck_only ? FaultSite::weight : static_cast<FaultSite>(rng.below(5));
    f.kind = static_cast<FaultKind>(rng.below(weight_stuck_only ? 2 : 3));
    f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(
        f.site == FaultSite::accumulator ? c.array.stripe_length : std::min(c.array.atomic_c, job.c + 1))));
    if (f.site == FaultSite::psum) f.row = 0;
    f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(std::min(c.array.atomic_k, job.k + 1))));
    f.bit = static_cast<int>(rng.below(32));
    if (f.kind == FaultKind::transient) f.cycle = c.start + static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles)));
    c.faults.push_back(f);
  }
  return c;
}

// Runs the pass on the fast engine; returns the layer-level output.
Tensor run_pass(const Case& c, const PeFaults& faults, const Tensor& x, const Tensor& w, const Tensor& dy) {
  LoweredJob lj = c.pass == Pass::forward         ? lower_forward(c.layer, x, w)
                  : c.pass == Pass::backward_data ? lower_backward_data(c.layer, w, dy)
                                                  : lower_backward_weight(c.layer, x, dy);
  FastEngine engine(c.array, faults);
  return lift_output(c.layer, c.pass, engine.run(lj.job, lj.streamed, lj.stationary, c.start).output);
}

TEST(PassErrorModel, EveryOutputTheArrayCorruptsIsInTheOutputMaskOn300RandomCases) {
  long long corrupted_total = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const Case c = random_case(seed, false);
    const ConvShape& l = c.layer.shape;
    Rng rng(seed * 7 + 1);
    const Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
    const Tensor dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const PeFaults none, faulty(c.array, c.faults);
    const Tensor golden = run_pass(c, none, x, w, dy), bad = run_pass(c, faulty, x, w, dy);
    const PassErrorModel m = map_pass_faults(c.layer, c.pass, c.array, c.faults, c.start);
    ASSERT_EQ(m.output_mask.size(), golden.size());
    for (std::size_t i = 0; i < golden.size(); ++i) {
      if (testing::same_bits(golden[i], bad[i])) continue;
      ++corrupted_total;
      ASSERT_EQ(m.output_mask[i], 1) << "seed " << seed << " pass " << to_string(c.pass) << " element " << i << ": "
                                     << m.summary;
    }
  }
  EXPECT_GT(corrupted_total, 1000);  // the cases are not all masked
}

TEST(PassErrorModel, WeightRegisterStuckAtsAreExactAsMasksOnTheStationaryTensorOn150RandomCases) {
  int changed = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    const Case c = random_case(seed + 1000, true);
    const ConvShape& l = c.layer.shape;
    Rng rng(seed * 13 + 5);
    Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
    Tensor dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const PeFaults none, faulty(c.array, c.faults);
    const Tensor bad = run_pass(c, faulty, x, w, dy);
    const PassErrorModel m = map_pass_faults(c.layer, c.pass, c.array, c.faults, c.start);
    Tensor& stationary = c.pass == Pass::backward_weight ? dy : w;
    for (std::size_t i = 0; i < stationary.size(); ++i)
      stationary[i] = bits_float((float_bits(stationary[i]) & m.stationary_and[i]) | m.stationary_or[i]);
    const Tensor replay = run_pass(c, none, x, w, dy);
    ASSERT_EQ(testing::count_bit_differences(replay, bad), 0) << "seed " << seed + 1000 << ": " << m.summary;
    changed += !m.effects.empty();
  }
  EXPECT_GT(changed, 60);
}

}  // namespace
}  // namespace accsim
