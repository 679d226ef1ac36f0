// run_parts runs every part exactly once, part 0 on the calling thread, also when
// several callers share the pool at once (a caller that finds it busy runs its parts
// itself), and in a fork child of a process whose pool threads were started.
#include "kernels/worker_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "kernels/fork_child.h"

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

// The fast kernel's jobs split again inside a split (a plan's column slices, then the
// job's chunks): the inner parts run on the outer part's own thread, every one once.
TEST(WorkerPool, APartThatSplitsAgainRunsItsPartsOnItsOwnThread) {
  std::vector<std::atomic<int>> runs(6);
  std::vector<std::thread::id> outer(2), inner(6);
  run_parts(2, [&](int i) {
    outer[static_cast<std::size_t>(i)] = std::this_thread::get_id();
    run_parts(3, [&](int j) {
      inner[static_cast<std::size_t>(i * 3 + j)] = std::this_thread::get_id();
      ++runs[static_cast<std::size_t>(i * 3 + j)];
    });
  });
  for (int k = 0; k < 6; ++k) {
    EXPECT_EQ(runs[static_cast<std::size_t>(k)], 1) << "inner part " << k;
    EXPECT_EQ(inner[static_cast<std::size_t>(k)], outer[static_cast<std::size_t>(k / 3)]) << "inner part " << k;
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

// Tests fork commands (kill-and-resume, disk-full) after earlier runs started the pool:
// the child has none of its threads and used to wait for them forever.
TEST(WorkerPool, AForkChildRunsItsPartsItself) {
  run_parts(3, [](int) {});  // the pool's threads exist in this process
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<int> runs(3, 0);
    run_parts(3, [&](int i) { ++runs[static_cast<std::size_t>(i)]; });
    _exit(runs == std::vector<int>{1, 1, 1} ? 0 : 1);
  }
  expect_child_succeeds(pid);
}

}  // namespace
}  // namespace accsim
