#include "kernels/conv_selection.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/conv_operands.h"

namespace accsim {

Selection select_region(const ConvShape& s, const ArrayConfig& a, const ConvRegion* region) {
  const long long M = s.pixels(), chunks = (M + kChunk - 1) / kChunk, PQ = static_cast<long long>(s.p()) * s.q();
  Selection sel;
  if (region == nullptr) {
    sel.col_all.assign(a.atomic_k, 1);
    sel.image_cols.assign(a.atomic_k, 1);
    sel.images.assign(s.n, 1);
    sel.chunk_images.assign(static_cast<std::size_t>(chunks), 1);
    sel.col_any.assign(a.atomic_k, 1);
    return sel;
  }
  auto sized = [](const std::vector<char>& v, std::size_t n, const char* what, char fallback) {
    if (!v.empty() && v.size() != n)
      throw std::invalid_argument(std::string("array_conv_region: ") + what + " has " + std::to_string(v.size()) +
                                  " entries, expected " + std::to_string(n));
    return v.empty() ? std::vector<char>(n, fallback) : v;
  };
  sel.col_all = sized(region->columns, a.atomic_k, "columns", 0);
  sel.image_cols = sized(region->image_columns, a.atomic_k, "image_columns", 1);
  sel.images = sized(region->images, static_cast<std::size_t>(s.n), "images", 0);
  sel.chunk_images.assign(static_cast<std::size_t>(chunks), 0);
  for (int n = 0; n < s.n; ++n)
    if (sel.images[n])
      for (long long c = n * PQ / kChunk; c <= ((n + 1) * PQ - 1) / kChunk; ++c) sel.chunk_images[c] = 1;
  sel.any_images = std::find(sel.images.begin(), sel.images.end(), 1) != sel.images.end();
  sel.col_any.resize(a.atomic_k);
  for (int col = 0; col < a.atomic_k; ++col)
    sel.col_any[col] = sel.col_all[col] || (sel.any_images && sel.image_cols[col]);
  return sel;
}

std::vector<char> Selection::images_read(const ConvShape& s) const {
  const bool every_chunk = std::find(col_all.begin(), col_all.end(), 1) != col_all.end();
  if (every_chunk) return std::vector<char>(static_cast<std::size_t>(s.n), 1);
  std::vector<char> read(static_cast<std::size_t>(s.n), 0);
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q();
  for (std::size_t c = 0; c < chunk_images.size(); ++c) {
    if (!chunk_images[c]) continue;
    const long long first = static_cast<long long>(c) * kChunk, last = std::min(M, first + kChunk) - 1;
    for (long long n = first / PQ; n <= last / PQ; ++n) read[static_cast<std::size_t>(n)] = 1;
  }
  return read;
}

}  // namespace accsim
