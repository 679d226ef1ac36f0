#include "kernels/split_rows.h"

#include <algorithm>

#include "kernels/worker_pool.h"

namespace accsim {

void split_rows(int threads, std::size_t rows, std::size_t row_elements,
                const std::function<void(std::size_t, std::size_t)>& range) {
  const std::size_t parts = std::min<std::size_t>(threads < 1 ? 1 : static_cast<std::size_t>(threads), rows);
  if (parts <= 1 || rows * row_elements < kMinSplitElements) {
    range(0, rows);
    return;
  }
  run_parts(static_cast<int>(parts), [&](int p) {
    const std::size_t i = static_cast<std::size_t>(p);
    range(rows * i / parts, rows * (i + 1) / parts);
  });
}

}  // namespace accsim
