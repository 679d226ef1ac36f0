// run_parts runs every part exactly once, part 0 on the calling thread, also when
// several callers share the pool at once (a caller that finds it busy runs its parts
// itself).
#include "kernels/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace accsim {
namespace {

TEST(WorkerPool, EveryPartRunsOnceAndPartZeroOnTheCaller) {
  for (int parts : {1, 2, 3, 5, 2}) {
    std::vector<std::atomic<int>> runs(static_cast<std::size_t>(parts));
    std::thread::id part0;
    run_parts(parts, [&](int i) {
      if (i == 0) part0 = std::this_thread::get_id();
      ++runs[static_cast<std::size_t>(i)];
    });
    for (int i = 0; i < parts; ++i) EXPECT_EQ(runs[static_cast<std::size_t>(i)], 1) << parts << " parts, part " << i;
    EXPECT_EQ(part0, std::this_thread::get_id());
  }
}

TEST(WorkerPool, CallersSharingThePoolEachGetAllTheirParts) {
  std::vector<std::thread> callers;
  std::vector<long long> sums(4, 0);
  for (int c = 0; c < 4; ++c)
    callers.emplace_back([c, &sums] {
      for (int round = 0; round < 50; ++round) {
        std::vector<long long> part_sums(3, 0);
        run_parts(3, [&](int i) { part_sums[static_cast<std::size_t>(i)] = (i + 1) * 10 + round; });
        for (long long v : part_sums) sums[static_cast<std::size_t>(c)] += v;
      }
    });
  for (auto& t : callers) t.join();
  for (long long s : sums) EXPECT_EQ(s, 50 * 60 + 3 * (49 * 50 / 2));
}

}  // namespace
}  // namespace accsim
