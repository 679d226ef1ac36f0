// The pass error model is sound (every element the array corrupts is in its masks),
// exact where it gives bit operations (weight-register stuck-ats reproduce the faulty
// array bit for bit on a healthy one), places every transient on the sums it corrupts,
// and says what it found in one line.
#include "faultmodels/pass_error_model.h"

#include <gtest/gtest.h>

#include <map>

#include "arch/array_operands.h"
#include "arch/job_timing.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "test_util.h"
#include "workloads/run/engines.h"
#include "workloads/models/network.h"

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

Case random_case(std::uint64_t seed, bool weight_stuck_only, DataType type = DataType::fp32) {
  Rng rng(seed);
  Case c;
  c.array = preset(rng.below(3) == 0 ? "large" : "small");
  c.array.datatype = type;
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
    f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, type))));
    if (f.kind == FaultKind::transient) f.cycle = c.start + static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles)));
    c.faults.push_back(f);
  }
  return c;
}

LoweredJob lower(const Case& c, const Tensor& x, const Tensor& w, const Tensor& dy) {
  return c.pass == Pass::forward         ? lower_forward(c.layer, x, w)
         : c.pass == Pass::backward_data ? lower_backward_data(c.layer, w, dy)
                                         : lower_backward_weight(c.layer, x, dy);
}

// Runs the pass on the fast engine; returns the layer-level output.
Tensor run_pass(const Case& c, const PeFaults& faults, const Tensor& x, const Tensor& w, const Tensor& dy) {
  LoweredJob lj = lower(c, x, w, dy);
  FastEngine engine(c.array, faults);
  return lift_output(c.layer, c.pass, engine.run(lj.job, lj.streamed, lj.stationary, c.start).output);
}

// Every element the array corrupts is in the output mask; returns how many were corrupted.
long long expect_sound(DataType type, std::uint64_t first, int count) {
  long long corrupted_total = 0;
  for (std::uint64_t seed = first; seed < first + static_cast<std::uint64_t>(count); ++seed) {
    const Case c = random_case(seed, false, type);
    const ConvShape& l = c.layer.shape;
    Rng rng(seed * 7 + 1);
    const Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
    const Tensor dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const PeFaults none, faulty(c.array, c.faults);
    const Tensor golden = run_pass(c, none, x, w, dy), bad = run_pass(c, faulty, x, w, dy);
    const PassErrorModel m = map_pass_faults(c.layer, c.pass, c.array, c.faults, c.start);
    EXPECT_EQ(m.output_mask.size(), golden.size());
    if (m.output_mask.size() != golden.size()) return corrupted_total;
    for (std::size_t i = 0; i < golden.size(); ++i) {
      if (testing::same_bits(golden[i], bad[i])) continue;
      ++corrupted_total;
      EXPECT_EQ(m.output_mask[i], 1) << to_string(type) << " seed " << seed << " pass " << to_string(c.pass)
                                     << " element " << i << ": " << m.summary;
      if (m.output_mask[i] != 1) return corrupted_total;
    }
  }
  return corrupted_total;
}

TEST(PassErrorModel, EveryOutputTheArrayCorruptsIsInTheOutputMaskOn300RandomCases) {
  EXPECT_GT(expect_sound(DataType::fp32, 1, 300), 1000);  // the cases are not all masked
}

TEST(PassErrorModel, EveryOutputTheArrayCorruptsIsInTheOutputMaskOn150RandomCasesPerOtherFormat) {
  for (DataType type : {DataType::fp16, DataType::bf16, DataType::int8}) {
    EXPECT_GT(expect_sound(type, 5000 + 1000 * static_cast<std::uint64_t>(type), 150), 400) << to_string(type);
    if (HasFailure()) return;
  }
}

// Weight-register stuck-at masks applied to the stationary tensor of a healthy array
// reproduce the faulty array bit for bit. fp32: on the tensor's bits. Other formats: on
// the register words of the stationary tensor (int8: quantised with the tensor's own
// scale), which the healthy array then runs with that scale (Engine::run_encoded).
int expect_replay_exact(DataType type, std::uint64_t first, int count) {
  int changed = 0;
  for (std::uint64_t seed = first; seed < first + static_cast<std::uint64_t>(count); ++seed) {
    const Case c = random_case(seed + 1000, true, type);
    const ConvShape& l = c.layer.shape;
    Rng rng(seed * 13 + 5);
    Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
    Tensor dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const PeFaults none, faulty(c.array, c.faults);
    const Tensor bad = run_pass(c, faulty, x, w, dy);
    const PassErrorModel m = map_pass_faults(c.layer, c.pass, c.array, c.faults, c.start);
    Tensor& stationary = c.pass == Pass::backward_weight ? dy : w;
    Tensor replay;
    if (type == DataType::fp32) {
      for (std::size_t i = 0; i < stationary.size(); ++i)
        stationary[i] = bits_float((float_bits(stationary[i]) & m.stationary_and[i]) | m.stationary_or[i]);
      replay = run_pass(c, none, x, w, dy);
    } else {
      const LoweredJob healthy = lower(c, x, w, dy);
      const float scale = tensor_scale(type, healthy.stationary);
      // The masked words, carried through the lowering as exact float values of the words.
      for (std::size_t i = 0; i < stationary.size(); ++i)
        stationary[i] = static_cast<float>((encode_word(type, stationary[i], scale) & m.stationary_and[i]) |
                                           m.stationary_or[i]);
      const LoweredJob masked = lower(c, x, w, dy);
      ArrayOperands ops;
      ops.datatype = type;
      ops.weight_scale = scale;
      ops.input_scale = tensor_scale(type, healthy.streamed);
      ops.input = encode_tensor(type, healthy.streamed, ops.input_scale);
      for (float v : masked.stationary.values()) ops.weights.push_back(static_cast<std::uint32_t>(v));
      FastEngine engine(c.array, none);
      replay = lift_output(c.layer, c.pass, engine.run_encoded(masked.job, ops, c.start).output);
    }
    EXPECT_EQ(testing::count_bit_differences(replay, bad), 0)
        << to_string(type) << " seed " << seed + 1000 << ": " << m.summary;
    if (::testing::Test::HasFailure()) return changed;
    changed += !m.effects.empty();
  }
  return changed;
}

TEST(PassErrorModel, WeightRegisterStuckAtsAreExactAsMasksOnTheStationaryTensorOn150RandomCases) {
  EXPECT_GT(expect_replay_exact(DataType::fp32, 1, 150), 60);
}

TEST(PassErrorModel, WeightRegisterStuckAtsAreExactAsMasksOnTheRegisterWordsOn150RandomCasesPerOtherFormat) {
  for (DataType type : {DataType::fp16, DataType::bf16, DataType::int8}) {
    EXPECT_GT(expect_replay_exact(type, 3000 + 1000 * static_cast<std::uint64_t>(type), 150), 60) << to_string(type);
    if (HasFailure()) return;
  }
}

// The placed transients, turned back into an error pattern through the exported column
// table, make a healthy-but-stuck array compute what the faulty one computes: the export
// names every sum a transient corrupts, on its step, position and leaf.
ErrorPattern pattern_from(const PassErrorModel& m) {
  const int cols = m.col_channels_shape[1];
  std::map<ElementKey, PsumFlips> psums;
  std::map<ElementKey, std::uint32_t> entries;
  for (const PlacedFlip& f : m.transient_flips) {
    ElementKey key{-1, f.step, f.position, -1};
    for (std::size_t i = 0; i < m.col_channels.size(); ++i)
      if (m.col_channels[i] == f.out_channel) key.group = static_cast<int>(i) / cols, key.col = static_cast<int>(i) % cols;
    if (f.site == FaultSite::accumulator) {
      entries[key] ^= f.mask;
      continue;
    }
    PsumFlips& p = psums[key];
    p.at = key;
    if (f.site == FaultSite::psum) p.psum ^= f.mask;
    if (f.site == FaultSite::weight) p.weight.push_back({f.row, f.mask});
    if (f.site == FaultSite::input) p.input.push_back({f.row, f.mask});
    if (f.site == FaultSite::product) p.product.push_back({f.row, f.mask});
  }
  ErrorPattern pattern;
  for (auto& [key, p] : psums) pattern.psums.push_back(p);
  for (auto& [key, mask] : entries) pattern.accumulator.push_back({key, mask});
  return pattern;
}

TEST(PassErrorModel, PlacedTransientsReplayTheFaultyArrayBitForBitOn200RandomCases) {
  int placed = 0;
  for (std::uint64_t seed = 7000; seed < 7200; ++seed) {
    const Case c = random_case(seed, false, static_cast<DataType>(seed % 4));
    const ConvShape& l = c.layer.shape;
    Rng rng(seed * 3 + 2);
    const Tensor x = random_tensor({l.n, l.c, l.h, l.w}, rng), w = random_tensor({l.k, l.c, l.r, l.s}, rng);
    const Tensor dy = random_tensor({l.n, l.k, l.p(), l.q()}, rng);
    const LoweredJob lj = lower(c, x, w, dy);
    std::vector<HardwareFault> stuck_only;
    for (const auto& f : c.faults)
      if (f.permanent()) stuck_only.push_back(f);
    const PeFaults faulty(c.array, c.faults), stuck(c.array, stuck_only);
    const Mapping mapping(lj.job.shape, c.array, c.array.swizzle, lj.job.swizzle_seed);
    const Tensor want = array_conv(lj.job, c.array, mapping, faulty, map_transients(lj.job, c.array, faulty, c.start),
                                   lj.streamed, lj.stationary);
    const PassErrorModel m = map_pass_faults(c.layer, c.pass, c.array, c.faults, c.start);
    ASSERT_EQ(m.col_channels_shape, (std::vector<int>{mapping.groups(), c.array.atomic_k}));
    ASSERT_EQ(m.row_channels_shape, (std::vector<int>{mapping.groups(), mapping.blocks(), c.array.atomic_c}));
    const Tensor got = array_conv(lj.job, c.array, mapping, stuck, pattern_from(m), lj.streamed, lj.stationary);
    EXPECT_EQ(testing::count_bit_differences(got, want), 0) << "seed " << seed << ": " << m.summary;
    if (HasFailure()) return;
    placed += !m.transient_flips.empty();
  }
  EXPECT_GT(placed, 40);  // the cases are not all without transients
}

TEST(PassErrorModel, RegisterMasksStayInsideTheFormatsWord) {
  for (DataType type : {DataType::fp16, DataType::bf16, DataType::int8}) {
    ArrayConfig a = preset("small");
    a.datatype = type;
    const int top = bit_width(type) - 1;
    const auto m = map_pass_faults(lenet_conv2(), Pass::forward, a,
                                   {stuck(FaultSite::weight, 5, 3, top, FaultKind::stuck_at_1),
                                    stuck(FaultSite::weight, 5, 3, 0, FaultKind::stuck_at_0)},
                                   0);
    std::uint32_t or_seen = 0, and_seen = ~0u;
    for (std::size_t i = 0; i < m.stationary_or.size(); ++i) or_seen |= m.stationary_or[i], and_seen &= m.stationary_and[i];
    EXPECT_EQ(or_seen, 1u << top) << to_string(type);
    EXPECT_EQ(and_seen, ~1u) << to_string(type);
    EXPECT_NE(m.summary.find("bit " + std::to_string(top) + " forced 1"), std::string::npos) << m.summary;
  }
}

TEST(PassErrorModel, Int8IdleProductRuleCarriesTheInt32ValueTheTreeAdds) {
  // conv1 of LeNet has one input channel: rows 1..7 idle. A product stuck-at-1 on bit 15
  // (the int16 sign) of an idle PE makes 0 x 0 read -32768.
  ArrayConfig a = preset("small");
  a.datatype = DataType::int8;
  const ConvJob conv1 = layer_job(lenet5().layers[0], 1, 28, 28, 0);
  const auto m = map_pass_faults(conv1, Pass::forward, a, {stuck(FaultSite::product, 4, 2, 15, FaultKind::stuck_at_1)}, 0);
  ASSERT_EQ(m.idle_products.size(), 1u);
  EXPECT_EQ(static_cast<std::int32_t>(m.idle_products[0].value_bits), -32768);
  EXPECT_EQ(m.idle_products[0].out_channel, 2);
  EXPECT_EQ(m.idle_products[0].steps, 25);
}

}  // namespace
}  // namespace accsim
