// split_rows covers every row once, in contiguous ranges, at most one per thread; work
// below kMinSplitElements stays one range on the calling thread.
#include "kernels/split_rows.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace accsim {
namespace {

std::vector<std::pair<std::size_t, std::size_t>> ranges_of(int threads, std::size_t rows, std::size_t row_elements) {
  std::mutex m;
  std::vector<std::pair<std::size_t, std::size_t>> seen;
  split_rows(threads, rows, row_elements, [&](std::size_t first, std::size_t last) {
    std::lock_guard<std::mutex> lock(m);
    seen.emplace_back(first, last);
  });
  return seen;
}

TEST(SplitRows, EveryRowOnceInAtMostOneRangePerThread) {
  for (int threads : {1, 2, 3, 4})
    for (std::size_t rows : {1u, 2u, 7u, 99u, 1001u}) {
      const auto seen = ranges_of(threads, rows, kMinSplitElements);
      std::vector<int> hits(rows, 0);
      for (const auto& [first, last] : seen) {
        ASSERT_LE(first, last);
        for (std::size_t r = first; r < last; ++r) ++hits[r];
      }
      for (std::size_t r = 0; r < rows; ++r) EXPECT_EQ(hits[r], 1) << threads << " threads, " << rows << " rows, row " << r;
      EXPECT_EQ(seen.size(), std::min<std::size_t>(static_cast<std::size_t>(threads), rows));
    }
}

TEST(SplitRows, SmallWorkIsOneRangeOnTheCallingThread) {
  std::thread::id where;
  int calls = 0;
  split_rows(4, 10, kMinSplitElements / 10 - 1, [&](std::size_t first, std::size_t last) {
    where = std::this_thread::get_id();
    EXPECT_EQ(first, 0u);
    EXPECT_EQ(last, 10u);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(where, std::this_thread::get_id());
  EXPECT_EQ(ranges_of(2, 0, 100).size(), 1u);  // no rows: one empty range
}

}  // namespace
}  // namespace accsim
