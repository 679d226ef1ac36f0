// Memory faults (faultmodels/memory_fault.h): the seeded draw and what a faulty word reads.
#include "faultmodels/memory_fault.h"

#include <gtest/gtest.h>

namespace accsim {
namespace {

TEST(MemoryFault, DrawsStayInRangeDependOnTheIndexOnlyAndHitTheMultiBitShare) {
  MemoryFaultConfig c;
  c.multi_bit_fraction = 0.25;
  c.codes[1] = EccCode::parity;
  const long long words[2] = {100, 7};
  const std::vector<MemoryStructure> structures{MemoryStructure::cbuf, MemoryStructure::dram};
  const std::vector<FaultKind> kinds{FaultKind::stuck_at_1, FaultKind::transient};
  int multi = 0, sizes[4] = {};
  for (long long i = 0; i < 4000; ++i) {
    const MemoryFault f = draw_memory_fault(c, structures, kinds, words, 9, i, 1000);
    const MemoryFault again = draw_memory_fault(c, structures, kinds, words, 9, i, 1000);
    EXPECT_EQ(describe(f), describe(again));
    ASSERT_GE(f.word, 0);
    ASSERT_LT(f.word, words[static_cast<int>(f.structure)]);
    ASSERT_GE(f.bit, 0);
    ASSERT_LE(f.bit + f.bits, code_word_bits(c.code(f.structure)));
    ASSERT_EQ(f.cycle >= 0, f.kind == FaultKind::transient);
    ASSERT_LT(f.cycle, 1000);
    multi += f.bits > 1;
    ++sizes[f.bits];
  }
  EXPECT_NEAR(multi / 4000.0, 0.25, 0.03);
  EXPECT_GT(sizes[2], 0);
  EXPECT_GT(sizes[3], 0);
  EXPECT_NE(describe(draw_memory_fault(c, structures, kinds, words, 9, 0, 1000)),
            describe(draw_memory_fault(c, structures, kinds, words, 10, 0, 1000)));
}

TEST(MemoryFault, StuckAtBitsThatAgreeWithTheDataAreNoError) {
  MemoryFault f;
  f.kind = FaultKind::stuck_at_1;
  f.bit = 3;  // SECDED position 3 holds data bit 0
  EXPECT_EQ(read_faulty_word(EccCode::secded, f, 1).outcome, ReadOutcome::clean);
  EXPECT_EQ(read_faulty_word(EccCode::secded, f, 0).outcome, ReadOutcome::corrected);
  f.kind = FaultKind::stuck_at_0;
  f.bits = 2;  // positions 3, 4: data bit 0 and check bit 4
  const EccRead r = read_faulty_word(EccCode::none, f, 0x1f);
  EXPECT_EQ(r.outcome, ReadOutcome::silent);
  EXPECT_EQ(r.data, 0x07u);  // bits 3 and 4 of the bare data word forced to 0
  f.kind = FaultKind::transient;
  EXPECT_EQ(read_faulty_word(EccCode::parity, f, 0).outcome, ReadOutcome::silent);  // two flips
}

}  // namespace
}  // namespace accsim
