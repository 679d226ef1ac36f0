// Parameter fault models on named fp32 tensors: targets select the right tensors and
// bits, every model changes exactly what it promises, the records undo every change,
// draws are seeded, and BER never walks the bits it does not flip.
#include "faultmodels/parameter_injection.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "arch/number_format.h"
#include "arch/random.h"

namespace accsim {
namespace {

// A small model: three tensors with distinct fill values.
struct Model {
  Tensor w1{{40, 10}}, b1{{40}}, emb{{100, 8}};
  ParameterSet set;
  Model() {
    Rng rng(3);
    for (Tensor* t : {&w1, &b1, &emb})
      for (auto& v : t->values()) v = rng.uniform(-1.0f, 1.0f);
    set.add("mlp.bottom.0.weight", w1);
    set.add("mlp.bottom.0.bias", b1);
    set.add("embedding.0.weight", emb);
  }
  std::vector<std::uint32_t> snapshot() const {
    std::vector<std::uint32_t> bits;
    for (const Tensor* t : {&w1, &b1, &emb})
      for (float v : t->values()) bits.push_back(float_bits(v));
    return bits;
  }
};

ParameterTarget target(std::vector<std::string> selectors, std::vector<int> bits = {},
                       ParameterKind kind = ParameterKind::any) {
  ParameterTarget t;
  t.name = selectors.front();
  t.tensors = std::move(selectors);
  t.bits = std::move(bits);
  t.parameter = kind;
  return t;
}

ParameterFaultModel model(ParameterFaultKind kind, std::uint64_t count = 1, double rate = 0.0) {
  ParameterFaultModel m;
  m.kind = kind;
  m.count = count;
  m.rate = rate;
  return m;
}

// Every record's old bits equal the snapshot and its new bits equal the tensor now;
// every element without a record is unchanged.
void expect_records_describe_the_change(const Model& m, const std::vector<std::uint32_t>& before,
                                        const Injection& inj) {
  const std::vector<std::uint32_t> after = m.snapshot();
  std::vector<std::size_t> base{0, m.w1.size(), m.w1.size() + m.b1.size()};
  std::set<std::size_t> recorded;
  for (const auto& f : inj.flips) {
    const std::size_t flat = base[f.tensor] + f.element;
    EXPECT_TRUE(recorded.insert(flat).second) << "element recorded twice";
    EXPECT_EQ(f.old_bits, before[flat]);
    EXPECT_EQ(f.new_bits, after[flat]);
  }
  for (std::size_t i = 0; i < before.size(); ++i)
    if (!recorded.count(i)) {
      EXPECT_EQ(before[i], after[i]) << "element " << i << " changed without a record";
    }
}

TEST(ParameterTarget, SelectorsMatchWholeDottedComponentsWildcardsAndAll) {
  EXPECT_TRUE(selector_matches("mlp.top", "mlp.top.0.weight"));
  EXPECT_TRUE(selector_matches("mlp", "mlp.top.0.weight"));
  EXPECT_TRUE(selector_matches("mlp.top.0.weight", "mlp.top.0.weight"));
  EXPECT_FALSE(selector_matches("mlp.t", "mlp.top.0.weight"));
  EXPECT_FALSE(selector_matches("mlp.top.0.weight.x", "mlp.top.0.weight"));
  EXPECT_FALSE(selector_matches("embedding.1", "embedding.10.weight"));
  EXPECT_TRUE(selector_matches("embedding.10", "embedding.10.weight"));
  EXPECT_TRUE(selector_matches("mlp.*.0", "mlp.bottom.0.bias"));
  EXPECT_FALSE(selector_matches("mlp.*.1", "mlp.bottom.0.bias"));
  EXPECT_TRUE(selector_matches("all", "fc1.bias"));
  EXPECT_TRUE(parameter_kind_matches(ParameterKind::weight, "fc1.weight"));
  EXPECT_FALSE(parameter_kind_matches(ParameterKind::weight, "fc1.bias"));
  EXPECT_TRUE(parameter_kind_matches(ParameterKind::bias, "fc1.bias"));
}

TEST(ParameterTarget, GlobSelectorsMatchAnyRunAndOneCharacterOverWholeNamesOrDottedPrefixes) {
  const std::string q0 = "blocks.0.attn.q.weight";
  EXPECT_TRUE(selector_matches("blocks.*.attn.q.weight", q0));
  EXPECT_TRUE(selector_matches("blocks.*.attn.q.weight", "blocks.12.attn.q.weight"));
  EXPECT_FALSE(selector_matches("blocks.*.attn.q.weight", "blocks.0.attn.k.weight"));
  EXPECT_FALSE(selector_matches("blocks.*.attn.q.weight", "blocks.0.attn.q.bias"));
  EXPECT_TRUE(selector_matches("*.weight", q0));  // "*" spans dots
  EXPECT_TRUE(selector_matches("*.weight", "fc1.weight"));
  EXPECT_FALSE(selector_matches("*.weight", "blocks.0.attn.q.bias"));
  EXPECT_FALSE(selector_matches("*.weight", "pos_embed"));
  EXPECT_TRUE(selector_matches("blocks.?.attn.?.weight", q0));
  EXPECT_FALSE(selector_matches("blocks.?.attn.?.weight", "blocks.0.attn.out.weight"));
  EXPECT_FALSE(selector_matches("blocks.?.attn", "blocks.10.attn.q.weight"));
  EXPECT_TRUE(selector_matches("blocks.*.attn", "blocks.10.attn.q.weight"));  // a dotted prefix
  EXPECT_TRUE(selector_matches("blocks.1*", "blocks.10.mlp.fc1.bias"));
  EXPECT_FALSE(selector_matches("blocks.1*x", "blocks.10.mlp.fc1.bias"));
  EXPECT_TRUE(selector_matches("*", "pos_embed"));
  EXPECT_TRUE(selector_matches("**.?", "a.b"));
  EXPECT_FALSE(selector_matches("?", "ab"));
  EXPECT_FALSE(selector_matches("bl*s.0.attn.q.weigh", q0));  // a prefix ends at a dot
}

TEST(ParameterTarget, ResolveLaysSelectedTensorsEndToEndAndRejectsUnknownSelectors) {
  Model m;
  const ResolvedTarget all = resolve(target({"all"}), m.set);
  EXPECT_EQ(all.tensors, (std::vector<std::size_t>{0, 1, 2}));
  EXPECT_EQ(all.offsets, (std::vector<std::uint64_t>{0, 400, 440, 1240}));
  EXPECT_EQ(all.bit_count(), 1240u * 32u);
  EXPECT_EQ(all.tensor_of(0), 0u);
  EXPECT_EQ(all.tensor_of(439), 1u);
  EXPECT_EQ(all.tensor_of(440), 2u);
  const ResolvedTarget weights = resolve(target({"all"}, {}, ParameterKind::weight), m.set);
  EXPECT_EQ(weights.tensors, (std::vector<std::size_t>{0, 2}));
  const ResolvedTarget bits = resolve(target({"embedding", "mlp.bottom.0.bias"}, {30, 23, 30}), m.set);
  EXPECT_EQ(bits.tensors, (std::vector<std::size_t>{1, 2}));
  EXPECT_EQ(bits.bits, (std::vector<int>{23, 30}));
  EXPECT_EQ(bits.bit_mask, (1u << 23) | (1u << 30));
  try {
    resolve(target({"mlp.top"}), m.set);
    FAIL() << "an unknown selector resolved";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"mlp.top\" matches no parameter tensor"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("embedding.0.weight"), std::string::npos) << e.what();
  }
  EXPECT_THROW(resolve(target({"embedding"}, {}, ParameterKind::bias), m.set), std::invalid_argument);
  EXPECT_THROW(resolve(target({"all"}, {32}), m.set), std::invalid_argument);
}

TEST(ParameterInjection, SbfFlipsExactlyOneAllowedBitAndUndoRestoresEveryBit) {
  Model m;
  const auto before = m.snapshot();
  const ResolvedTarget t = resolve(target({"embedding"}, {2, 17, 30}), m.set);
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    const Injection inj = inject(m.set, t, model(ParameterFaultKind::sbf), seed);
    ASSERT_EQ(inj.flips.size(), 1u);
    EXPECT_EQ(inj.flips[0].tensor, 2u);
    ASSERT_EQ(inj.flips[0].bits().size(), 1u);
    const int b = inj.flips[0].bits()[0];
    EXPECT_TRUE(b == 2 || b == 17 || b == 30) << b;
    EXPECT_EQ(inj.bit_flips(), 1u);
    expect_records_describe_the_change(m, before, inj);
    inj.undo(m.set);
    ASSERT_EQ(m.snapshot(), before);
  }
}

TEST(ParameterInjection, SbfIsUniformOverBitPositionsAndTensorsBySize) {
  Model m;
  const ResolvedTarget t = resolve(target({"all"}), m.set);
  const int draws = 64000;
  std::vector<double> per_bit(32, 0.0), per_tensor(3, 0.0);
  Rng rng(11);
  for (int i = 0; i < draws; ++i) {
    const Injection inj = inject(m.set, t, model(ParameterFaultKind::sbf), rng);
    per_bit[static_cast<std::size_t>(inj.flips[0].bits()[0])] += 1;
    per_tensor[inj.flips[0].tensor] += 1;
    inj.undo(m.set);
  }
  // Pearson chi-square against uniform; 99.9% quantiles: 31 df 61.10, 2 df 13.82.
  double chi_bits = 0.0;
  for (double c : per_bit) chi_bits += (c - draws / 32.0) * (c - draws / 32.0) / (draws / 32.0);
  EXPECT_LT(chi_bits, 61.10);
  const double share[3] = {400.0 / 1240, 40.0 / 1240, 800.0 / 1240};
  double chi_tensors = 0.0;
  for (int i = 0; i < 3; ++i) chi_tensors += std::pow(per_tensor[i] - draws * share[i], 2) / (draws * share[i]);
  EXPECT_LT(chi_tensors, 13.82);
}

TEST(ParameterInjection, MbfFlipsExactlyCountDistinctAllowedBits) {
  Model m;
  const auto before = m.snapshot();
  const ResolvedTarget t = resolve(target({"mlp"}, {0, 1, 31}), m.set);
  const Injection inj = inject(m.set, t, model(ParameterFaultKind::mbf, 500), 5);
  EXPECT_EQ(inj.bit_flips(), 500u);
  for (const auto& f : inj.flips) {
    EXPECT_LE(f.tensor, 1u);
    EXPECT_EQ(f.mask() & ~((1u << 0) | (1u << 1) | (1u << 31)), 0u);
  }
  expect_records_describe_the_change(m, before, inj);
  inj.undo(m.set);
  EXPECT_EQ(m.snapshot(), before);
  // Every allowed bit of the target: each of its 440 words flips bits 0, 1 and 31.
  const Injection all = inject(m.set, t, model(ParameterFaultKind::mbf, 440 * 3), 6);
  ASSERT_EQ(all.flips.size(), 440u);
  for (const auto& f : all.flips) EXPECT_EQ(f.mask(), 0x80000003u);
  all.undo(m.set);
  EXPECT_THROW(inject(m.set, t, model(ParameterFaultKind::mbf, 440 * 3 + 1), 7), std::invalid_argument);
}

TEST(ParameterInjection, MbbfFlipsDisjointBurstsOfConsecutiveBitsWithinOneWord) {
  Model m;
  const auto before = m.snapshot();
  const ResolvedTarget t = resolve(target({"mlp.bottom.0.bias"}), m.set);  // 40 words, 31 starts each
  for (int length : {2, 3}) {
    ParameterFaultModel mb = model(ParameterFaultKind::mbbf, 150);
    mb.burst_length = length;
    const Injection inj = inject(m.set, t, mb, 9);
    EXPECT_EQ(inj.bit_flips(), 150u * static_cast<unsigned>(length));
    std::uint64_t bursts = 0;
    for (const auto& f : inj.flips) {
      // The changed bits form runs whose lengths are multiples of the burst length.
      std::uint32_t mask = f.mask();
      while (mask) {
        int low = __builtin_ctz(mask), run = 0;
        while (low + run < 32 && ((mask >> (low + run)) & 1u)) ++run;
        EXPECT_EQ(run % length, 0) << "mask " << std::hex << f.mask();
        bursts += static_cast<std::uint64_t>(run / length);
        mask &= ~static_cast<std::uint32_t>(((std::uint64_t{1} << run) - 1) << low);
      }
    }
    EXPECT_EQ(bursts, 150u);
    expect_records_describe_the_change(m, before, inj);
    inj.undo(m.set);
    EXPECT_EQ(m.snapshot(), before);
  }
  // Bursts only over consecutive allowed bits: with bits {5, 6, 9} only the burst 5-6 exists.
  const ResolvedTarget sparse = resolve(target({"mlp.bottom.0.bias"}, {5, 6, 9}), m.set);
  const Injection inj = inject(m.set, sparse, model(ParameterFaultKind::mbbf, 10), 4);
  for (const auto& f : inj.flips) EXPECT_EQ(f.mask(), 0x60u);
  inj.undo(m.set);
  EXPECT_THROW(inject(m.set, resolve(target({"all"}, {5, 9}), m.set), model(ParameterFaultKind::mbbf, 1), 1),
               std::invalid_argument);
}

TEST(ParameterInjection, BerFlipCountMatchesTheBinomialMeanAndHonoursTheBits) {
  Tensor big({100000});
  ParameterSet set;
  set.add("t.weight", big);
  const ResolvedTarget t = resolve(target({"all"}, {3, 30}), set);
  const double p = 0.01, n = 200000.0;  // 2 allowed bits x 100000 words
  const Injection inj = inject(set, t, model(ParameterFaultKind::ber, 1, p), 21);
  const double flips = static_cast<double>(inj.bit_flips());
  // 99.9% two-sided: mean +- 3.29 standard deviations of Binomial(n, p).
  EXPECT_NEAR(flips, n * p, 3.29 * std::sqrt(n * p * (1 - p)));
  std::map<int, double> per_bit;
  for (const auto& f : inj.flips) {
    EXPECT_EQ(f.mask() & ~((1u << 3) | (1u << 30)), 0u);
    for (int b : f.bits()) per_bit[b] += 1;
  }
  EXPECT_NEAR(per_bit[3], n * p / 2, 3.29 * std::sqrt(n / 2 * p * (1 - p)));
  EXPECT_NEAR(per_bit[30], n * p / 2, 3.29 * std::sqrt(n / 2 * p * (1 - p)));
  inj.undo(set);
  for (float v : big.values()) ASSERT_EQ(float_bits(v), 0u);
  // p = 1 flips every allowed bit.
  const Injection every = inject(set, t, model(ParameterFaultKind::ber, 1, 1.0), 22);
  ASSERT_EQ(every.flips.size(), 100000u);
  for (float v : big.values()) ASSERT_EQ(float_bits(v), (1u << 3) | (1u << 30));
}

TEST(ParameterInjection, BerNeverWalksTheBitsItDoesNotFlip) {
  // 2^40 words (3.5e13 bits) that are never allocated: walking them would take hours and
  // touching one would crash. At p = 1e-20 the seeded draw flips none of them.
  float word = 0.0f;
  ParameterSet set;
  set.add("huge.weight", &word, std::size_t{1} << 40);
  const ResolvedTarget t = resolve(target({"all"}), set);
  const Injection inj = inject(set, t, model(ParameterFaultKind::ber, 1, 1e-20), 1);
  EXPECT_TRUE(inj.flips.empty());
}

TEST(ParameterInjection, DrawsAreDeterministicPerSeedAndDifferAcrossConsecutiveSeeds) {
  Model m;
  const ResolvedTarget t = resolve(target({"all"}), m.set);
  const auto flips_of = [&](std::uint64_t seed) {
    const Injection inj = inject(m.set, t, model(ParameterFaultKind::ber, 1, 0.002), seed);
    inj.undo(m.set);
    std::vector<std::pair<std::uint64_t, std::uint32_t>> out;
    for (const auto& f : inj.flips) out.emplace_back(f.tensor * 1000000ULL + f.element, f.mask());
    return out;
  };
  EXPECT_EQ(flips_of(42), flips_of(42));
  EXPECT_NE(flips_of(42), flips_of(43));
  // Consecutive seeds are hashed apart: no shared positions beyond chance.
  const auto a = flips_of(100), b = flips_of(101);
  std::set<std::uint64_t> pa;
  for (const auto& f : a) pa.insert(f.first);
  int shared = 0;
  for (const auto& f : b) shared += static_cast<int>(pa.count(f.first));
  EXPECT_LT(shared, 5) << a.size() << " and " << b.size() << " flipped words";
}

TEST(ParameterInjection, ValueErrorsReplaceDistinctElementsWithValuesInTheRange) {
  Model m;
  const auto before = m.snapshot();
  const ResolvedTarget t = resolve(target({"embedding"}), m.set);
  ParameterFaultModel v = model(ParameterFaultKind::value, 300);
  v.value_lo = 2.0f;
  v.value_hi = 3.0f;
  const Injection inj = inject(m.set, t, v, 8);
  ASSERT_EQ(inj.flips.size(), 300u);
  for (const auto& f : inj.flips) {
    EXPECT_EQ(f.tensor, 2u);
    EXPECT_GE(f.new_value(), 2.0f);
    EXPECT_LE(f.new_value(), 3.0f);
  }
  expect_records_describe_the_change(m, before, inj);
  inj.undo(m.set);
  EXPECT_EQ(m.snapshot(), before);
  // Per-element rate: Binomial(800, 0.25) elements.
  ParameterFaultModel r = model(ParameterFaultKind::value, 0, 0.25);
  const Injection rinj = inject(m.set, t, r, 9);
  EXPECT_NEAR(static_cast<double>(rinj.flips.size()), 200.0, 3.29 * std::sqrt(800 * 0.25 * 0.75));
  for (const auto& f : rinj.flips) EXPECT_TRUE(f.new_value() >= 0.0f && f.new_value() <= 1.0f);
  rinj.undo(m.set);
  EXPECT_EQ(m.snapshot(), before);
  EXPECT_THROW(inject(m.set, resolve(target({"embedding"}, {30}), m.set), v, 1), std::invalid_argument);
}

TEST(ParameterInjection, DescribeNamesTensorElementBitsAndValues) {
  Model m;
  m.b1[7] = 0.5f;
  ParameterFlip f{1, 7, float_bits(0.5f), float_bits(0.5f) ^ (1u << 30)};
  EXPECT_EQ(describe(f, m.set).substr(0, 30), "mlp.bottom.0.bias[7] bits 30: ");
  EXPECT_NE(describe(f, m.set).find("0.5 -> 1.70141e+38"), std::string::npos) << describe(f, m.set);
}

}  // namespace
}  // namespace accsim
