#include "kernels/split_rows.h"

#include "kernels/worker_pool.h"

namespace accsim {

void split_rows_over_pool(std::size_t parts, std::size_t rows,
                          const std::function<void(std::size_t, std::size_t)>& range) {
  run_parts(static_cast<int>(parts), [&](int p) {
    const std::size_t i = static_cast<std::size_t>(p);
    range(rows * i / parts, rows * (i + 1) / parts);
  });
}

}  // namespace accsim
