#include "workloads/io/memory_limit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "arch/input_error.h"
#include "scoped_env.h"

namespace accsim {
namespace {

using ScopedLimit = testing::ScopedEnv;

TEST(MemoryLimit, SizesTakeBinarySuffixes) {
  EXPECT_EQ(parse_memory_size("1048576"), 1048576u);
  EXPECT_EQ(parse_memory_size("512K"), 512u << 10);
  EXPECT_EQ(parse_memory_size("3M"), 3u << 20);
  EXPECT_EQ(parse_memory_size("64g"), 64ULL << 30);
  EXPECT_EQ(parse_memory_size("2TiB"), 2ULL << 40);
  for (const char* bad : {"", "0", "-1", "1.5G", "G", "12X", "4 G", "99999999999999999999", "17179869184T"})
    EXPECT_FALSE(parse_memory_size(bad).has_value()) << bad;
}

TEST(MemoryLimit, TheDefaultIsHalfTheMemoryThisProcessMayUse) {
  const ScopedLimit none(kMemoryLimitVariable, nullptr);
  const std::uint64_t physical = static_cast<std::uint64_t>(::sysconf(_SC_PHYS_PAGES)) *
                                 static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_EQ(memory_limit(), available_memory() / 2);
  EXPECT_LE(available_memory(), physical);
  EXPECT_GE(available_memory(), 1u << 20);
}

TEST(MemoryLimit, TheVariableOverridesTheDefaultAndDecidesWhatIsRefused) {
  const ScopedLimit limit(kMemoryLimitVariable, "1G");
  EXPECT_EQ(memory_limit(), 1ULL << 30);
  EXPECT_NO_THROW(check_memory(1024.0 * 1024 * 1024, "an input"));
  try {
    check_memory(3.0 * (1ULL << 30), "topology 't.csv'");
    FAIL() << "3 GiB passed a 1 GiB limit";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("topology 't.csv' needs about 3 GiB, more than the memory limit of 1 GiB"), std::string::npos) << m;
    EXPECT_NE(m.find("ACCSIM_MEMORY_LIMIT"), std::string::npos) << m;
  }
  EXPECT_THROW(check_memory(1e30, "absurd"), InputError);  // no overflow on the way
}

TEST(MemoryLimit, ABadVariableIsAnInputErrorNamingIt) {
  const ScopedLimit limit(kMemoryLimitVariable, "lots");
  try {
    memory_limit();
    FAIL() << "'lots' was read as a size";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("ACCSIM_MEMORY_LIMIT: expected a size"), std::string::npos) << e.what();
  }
}

TEST(MemoryLimit, MessagesShowOneShortSize) {
  EXPECT_EQ(memory_text(300), "300 bytes");
  EXPECT_EQ(memory_text(1536.0 * 1024 * 1024), "1.5 GiB");
  EXPECT_EQ(memory_text(1099511627776.0 * 4), "4 TiB");
}

}  // namespace
}  // namespace accsim
