// The default thread count: the CPUs this process may use, not the machine's cores.
#include "workloads/experiments/available_cpus.h"

#include <gtest/gtest.h>
#include <sched.h>

namespace accsim {
namespace {

TEST(AvailableCpus, CgroupCpuMaxQuotasRoundUpAndMaxMeansNoLimit) {
  EXPECT_EQ(cpu_max_limit("max 100000"), std::nullopt);
  EXPECT_EQ(cpu_max_limit("200000 100000"), 2);
  EXPECT_EQ(cpu_max_limit("200000 100000\n"), 2);
  EXPECT_EQ(cpu_max_limit("150000 100000"), 2);
  EXPECT_EQ(cpu_max_limit("50000 100000"), 1);
  EXPECT_EQ(cpu_max_limit("1000 100000"), 1);
  EXPECT_EQ(cpu_max_limit(""), std::nullopt);
  EXPECT_EQ(cpu_max_limit("garbage"), std::nullopt);
  EXPECT_EQ(cpu_max_limit("200000 0"), std::nullopt);
  EXPECT_EQ(cpu_max_limit("-5 100000"), std::nullopt);
}

// sched_setaffinity(0) restricts the calling thread, which is what `taskset` does to a
// whole process; the count must follow the mask, not the machine.
TEST(AvailableCpus, FollowsTheAffinityMask) {
  cpu_set_t original;
  CPU_ZERO(&original);
  ASSERT_EQ(sched_getaffinity(0, sizeof original, &original), 0);
  const int all = available_cpus();
  EXPECT_GE(all, 1);
  EXPECT_LE(all, CPU_COUNT(&original));
  int first = 0;
  while (!CPU_ISSET(first, &original)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  const int limited = available_cpus();
  const int resolved = resolve_threads(0);
  ASSERT_EQ(sched_setaffinity(0, sizeof original, &original), 0);
  EXPECT_EQ(limited, 1);
  EXPECT_EQ(resolved, 1);
  EXPECT_EQ(resolve_threads(3), 3);
  EXPECT_EQ(available_cpus(), all);
}

}  // namespace
}  // namespace accsim
