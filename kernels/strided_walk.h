#pragma once
// Row-by-row traversal of strided views: the one loop behind broadcasting, broadcast_to
// and transpose. Offsets are precomputed per row, so nothing is allocated per element.
#include <array>
#include <cstddef>
#include <vector>

namespace accsim {

// Visits every element of an output of `shape` in row-major order, one row at a time. Each
// of the K inputs is read through `strides` (its element step per output dimension; 0
// where it is broadcast). Dimensions of size 1 are dropped and adjacent dimensions that are
// contiguous for every input merged first, so equal shapes or a broadcast scalar come down
// to one long row. Calls row(out_offset, length, in_offsets, in_steps) once per row.
template <std::size_t K, class Row>
void walk_rows(const std::vector<int>& shape, const std::array<std::vector<std::ptrdiff_t>, K>& strides, Row&& row) {
  std::vector<int> dims;
  std::array<std::vector<std::ptrdiff_t>, K> st;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0) return;
    if (shape[i] == 1) continue;
    bool merge = !dims.empty();
    for (std::size_t k = 0; k < K && merge; ++k) merge = st[k].back() == strides[k][i] * shape[i];
    if (merge) dims.back() *= shape[i];
    else dims.push_back(shape[i]);
    for (std::size_t k = 0; k < K; ++k) {
      if (merge) st[k].back() = strides[k][i];
      else st[k].push_back(strides[k][i]);
    }
  }
  std::array<std::ptrdiff_t, K> off{}, step{};
  if (dims.empty()) {
    row(std::size_t{0}, 1, off, step);
    return;
  }
  const int outer = static_cast<int>(dims.size()) - 1, n = dims.back();
  std::size_t rows = 1;
  for (int d = 0; d < outer; ++d) rows *= static_cast<std::size_t>(dims[d]);
  for (std::size_t k = 0; k < K; ++k) step[k] = st[k].back();
  std::vector<int> idx(static_cast<std::size_t>(outer), 0);
  std::size_t out = 0;
  for (std::size_t r = 0; r < rows; ++r, out += static_cast<std::size_t>(n)) {
    row(out, n, off, step);
    for (int d = outer - 1; d >= 0; --d) {  // odometer over the outer dimensions
      for (std::size_t k = 0; k < K; ++k) off[k] += st[k][d];
      if (++idx[d] < dims[d]) break;
      for (std::size_t k = 0; k < K; ++k) off[k] -= st[k][d] * dims[d];
      idx[d] = 0;
    }
  }
}

}  // namespace accsim
