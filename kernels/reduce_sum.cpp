#include "kernels/reduce_sum.h"

#include <array>
#include <stdexcept>
#include <string>

#include "kernels/strided_walk.h"
#include "kernels/tensor_shape.h"

namespace accsim {

Tensor reduce_sum(const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  const int rank = static_cast<int>(x.rank());
  std::vector<bool> reduced(x.rank(), axes.empty());
  for (int ax : axes) {
    const int a = normalize_axis(ax, rank, "reduce_sum");
    if (reduced[a]) throw std::invalid_argument("reduce_sum: axis " + std::to_string(ax) + " given twice");
    reduced[a] = true;
  }
  std::vector<int> kept(x.shape()), out;
  for (int i = 0; i < rank; ++i) {
    if (reduced[i]) kept[i] = 1;
    if (!reduced[i] || keepdims) out.push_back(kept[i]);
  }
  // Walk x in row-major order; each element adds into the output element it maps to.
  const auto kept_strides = row_major_strides(kept);
  std::vector<std::ptrdiff_t> to_out(x.rank(), 0);
  for (int i = 0; i < rank; ++i)
    if (!reduced[i]) to_out[i] = static_cast<std::ptrdiff_t>(kept_strides[i]);
  Tensor y(out);  // zero-filled: the +0 start
  float* py = y.data();
  const float* px = x.data();
  walk_rows<1>(x.shape(), {to_out},
               [&](std::size_t o, int len, const std::array<std::ptrdiff_t, 1>& off,
                   const std::array<std::ptrdiff_t, 1>& step) {
                 for (int j = 0; j < len; ++j) py[off[0] + j * step[0]] += px[o + j];
               });
  return y;
}

}  // namespace accsim
