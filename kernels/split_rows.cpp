#include "kernels/split_rows.h"

#include <algorithm>

#include "kernels/worker_pool.h"

namespace accsim {

void split_rows(int threads, std::size_t rows, std::size_t row_elements,
                const std::function<void(std::size_t, std::size_t)>& range) {
  if (!rows_split(threads, rows, row_elements)) {
    range(0, rows);
    return;
  }
  const std::size_t parts = std::min(static_cast<std::size_t>(threads), rows);
  run_parts(static_cast<int>(parts), [&](int p) {
    const std::size_t i = static_cast<std::size_t>(p);
    range(rows * i / parts, rows * (i + 1) / parts);
  });
}

}  // namespace accsim
