// Selective bit protection: protected positions never change, the rest are untouched.
#include "faultmodels/bit_protection.h"

#include <gtest/gtest.h>

#include <vector>

#include "arch/random.h"

namespace accsim {
namespace {

TEST(BitProtection, MaskHoldsTheListedBitsAndRejectsOthers) {
  EXPECT_EQ(protection_mask({}), 0u);
  EXPECT_EQ(protection_mask({31, 30, 0}), 0xC0000001u);
  EXPECT_THROW(protection_mask({32}), std::invalid_argument);
  EXPECT_THROW(protection_mask({-1}), std::invalid_argument);
}

TEST(BitProtection, HardwareFaultOnAProtectedBitNeverActs) {
  HardwareFault f;
  f.bit = 30;
  EXPECT_TRUE(is_protected(f, protection_mask({31, 30})));
  f.bit = 29;
  EXPECT_FALSE(is_protected(f, protection_mask({31, 30})));
}

TEST(BitProtection, InjectionKeepsOnlyUnprotectedBitsAndUndoRestoresTheOriginal) {
  std::vector<float> w(64);
  Rng rng(3);
  for (auto& v : w) v = static_cast<float>(rng.uniform01()) - 0.5f;
  const std::vector<float> original = w;
  ParameterSet set;
  set.add("fc.weight", w.data(), w.size());
  const ResolvedTarget t = resolve(ParameterTarget{}, set);
  ParameterFaultModel ber;
  ber.kind = ParameterFaultKind::ber;
  ber.rate = 0.2;
  const Injection raw = inject(set, t, ber, 11);
  raw.undo(set);
  const std::uint32_t mask = protection_mask({31, 30, 29, 28, 27, 26, 25, 24, 23});
  const Injection kept = without_protected_bits(raw, mask);
  ASSERT_FALSE(raw.flips.empty());
  EXPECT_LT(kept.bit_flips(), raw.bit_flips());  // 20% of 9 bits of 64 words: some hit the exponent
  std::size_t j = 0;
  for (const ParameterFlip& f : raw.flips) {
    const std::uint32_t unprotected = f.mask() & ~mask;
    if (unprotected == 0) continue;
    ASSERT_LT(j, kept.flips.size());
    EXPECT_EQ(kept.flips[j].element, f.element);
    EXPECT_EQ(kept.flips[j].mask(), unprotected);
    EXPECT_EQ(kept.flips[j].old_bits, f.old_bits);
    ++j;
  }
  EXPECT_EQ(j, kept.flips.size());
  for (const ParameterFlip& f : kept.flips) w[f.element] = f.new_value();
  for (const ParameterFlip& f : kept.flips) EXPECT_EQ(f.mask() & mask, 0u);
  kept.undo(set);
  EXPECT_EQ(w, original);
}

}  // namespace
}  // namespace accsim
