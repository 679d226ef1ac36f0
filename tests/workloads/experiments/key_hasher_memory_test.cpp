// The run-cache key covers the memory side (it decides cycles) and leaves the keys of
// configs without it as they were.
#include "workloads/experiments/key_hasher.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace accsim {
namespace {

std::string key_of(const ArrayConfig& a) {
  KeyHasher h;
  h.array(a);
  return h.hex();
}

TEST(KeyHasherMemory, MemorySideChangesTheKeyAndItsAbsenceKeepsTheOldOne) {
  const ArrayConfig plain = testing::preset("small");
  ArrayConfig a = plain;
  a.memory.dram_bytes_per_cycle = 99;  // ignored while the block is absent
  EXPECT_EQ(key_of(a), key_of(plain));
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  const std::string with_memory = key_of(a);
  EXPECT_NE(with_memory, key_of(plain));
  a.memory.dram_bytes_per_cycle = 4;
  EXPECT_NE(key_of(a), with_memory);
}

}  // namespace
}  // namespace accsim
