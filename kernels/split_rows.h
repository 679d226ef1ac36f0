#pragma once
// The host operators' one way onto several threads: `rows` independent rows (images,
// channel planes, normalised rows, runs of elements) cut into contiguous ranges, one per
// thread of the worker pool. Each row is computed exactly as on one thread, so the bits
// never depend on the thread count; only the work is shared.
#include <algorithm>
#include <cstddef>
#include <functional>

namespace accsim {

// Below this many elements a split costs more (waking the pool thread, tens of microseconds
// on this machine) than it saves: at 16 k elements the ViT's ~100 splits per batch of 100
// made 2 threads slower than without them (docs/performance.md).
inline constexpr std::size_t kMinSplitElements = 1 << 20;

// Whether split_rows shares the rows out: more than one thread and row, and at least
// kMinSplitElements elements.
inline bool rows_split(int threads, std::size_t rows, std::size_t row_elements) {
  return threads > 1 && rows > 1 && rows * row_elements >= kMinSplitElements;
}

// Calls range(begin, end) for each of `parts` contiguous ranges of [0, rows), one per
// thread of the worker pool.
void split_rows_over_pool(std::size_t parts, std::size_t rows,
                          const std::function<void(std::size_t, std::size_t)>& range);

// Calls range(begin, end) over [0, rows) in at most `threads` contiguous ranges; one
// direct call on the calling thread when !rows_split(threads, rows, row_elements), so a
// small operator pays no std::function and no pool.
template <class Range>
void split_rows(int threads, std::size_t rows, std::size_t row_elements, Range&& range) {
  if (!rows_split(threads, rows, row_elements)) {
    range(std::size_t{0}, rows);
    return;
  }
  split_rows_over_pool(std::min(static_cast<std::size_t>(threads), rows), rows, std::ref(range));
}

}  // namespace accsim
