#include "kernels/layout_ops.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "kernels/split_rows.h"
#include "kernels/strided_walk.h"
#include "kernels/tensor_shape.h"

namespace accsim {
namespace {

std::size_t product(const std::vector<int>& shape, std::size_t from, std::size_t to) {
  std::size_t n = 1;
  for (std::size_t i = from; i < to; ++i) n *= static_cast<std::size_t>(shape[i]);
  return n;
}

// Copies the strided view of x (element `base`, steps `strides` per dim of `shape`) into y;
// `threads` split y's leading dimension (each element copied as on one thread).
Tensor gather_view(const Tensor& x, std::vector<int> shape, std::ptrdiff_t base,
                   const std::vector<std::ptrdiff_t>& strides, int threads = 1) {
  Tensor y(std::move(shape), Tensor::uninitialized);
  if (y.size() == 0) return y;
  const float* px = x.data() + base;
  float* py = y.data();
  const std::size_t lead = y.rank() ? static_cast<std::size_t>(y.dim(0)) : 1, inner = y.size() / lead;
  split_rows(threads, lead, inner, [&](std::size_t first, std::size_t last) {
    std::vector<int> part(y.shape());
    if (!part.empty()) part[0] = static_cast<int>(last - first);
    const float* from = px + (part.empty() ? 0 : static_cast<std::ptrdiff_t>(first) * strides[0]);
    float* to = py + first * inner;
    walk_rows<1>(part, {strides},
                 [&](std::size_t o, int n, const std::array<std::ptrdiff_t, 1>& off,
                     const std::array<std::ptrdiff_t, 1>& step) {
                   for (int j = 0; j < n; ++j) to[o + j] = from[off[0] + j * step[0]];
                 });
  });
  return y;
}

std::vector<int> checked_perm(const std::vector<int>& perm, std::size_t rank) {
  std::vector<int> p(perm);
  if (p.empty())
    for (std::size_t i = 0; i < rank; ++i) p.push_back(static_cast<int>(rank - 1 - i));
  if (p.size() != rank)
    throw std::invalid_argument("transpose: perm has " + std::to_string(p.size()) + " entries for a rank-" +
                                std::to_string(rank) + " tensor");
  std::vector<bool> seen(rank, false);
  for (int a : p) {
    if (a < 0 || a >= static_cast<int>(rank) || seen[a])
      throw std::invalid_argument("transpose: perm " + shape_to_string(perm) + " is not a permutation of 0.." +
                                  std::to_string(rank - 1));
    seen[a] = true;
  }
  return p;
}

// One axis of a slice: first index, step and element count after ONNX's clamping.
struct SliceAxis {
  long long start, step, count;
};

SliceAxis slice_axis(long long start, long long end, long long step, long long dim) {
  if (step == 0) throw std::invalid_argument("slice: step 0");
  if (start < 0) start += dim;
  if (end < 0) end += dim;
  if (step > 0) {
    start = std::clamp(start, 0LL, dim);
    end = std::clamp(end, 0LL, dim);
    return {start, step, end > start ? (end - start + step - 1) / step : 0};
  }
  start = std::clamp(start, 0LL, dim - 1);
  end = std::clamp(end, -1LL, dim - 1);
  return {start, step, start > end ? (start - end - step - 1) / -step : 0};
}

}  // namespace

Tensor transpose(const Tensor& x, const std::vector<int>& perm, int threads) {
  const auto p = checked_perm(perm, x.rank());
  const auto xs = row_major_strides(x.shape());
  std::vector<int> shape(x.rank());
  std::vector<std::ptrdiff_t> strides(x.rank());
  for (std::size_t i = 0; i < x.rank(); ++i) {
    shape[i] = x.dim(p[i]);
    strides[i] = static_cast<std::ptrdiff_t>(xs[p[i]]);
  }
  return gather_view(x, shape, 0, strides, threads);
}

Tensor concat(const std::vector<const Tensor*>& xs, int axis) {
  if (xs.empty() || !xs[0]) throw std::invalid_argument("concat: no inputs");
  const std::vector<int>& first = xs[0]->shape();
  const int a = normalize_axis(axis, static_cast<int>(first.size()), "concat");
  std::vector<int> shape(first);
  shape[a] = 0;
  for (const Tensor* t : xs) {
    bool fits = t && t->rank() == first.size();
    for (std::size_t i = 0; fits && i < first.size(); ++i) fits = static_cast<int>(i) == a || t->dim(i) == first[i];
    if (!fits)
      throw std::invalid_argument("concat: input " + (t ? t->shape_string() : std::string("null")) +
                                  " does not match " + shape_to_string(first) + " outside axis " +
                                  std::to_string(axis));
    shape[a] += t->dim(a);
  }
  Tensor y(shape);
  const std::size_t outer = product(first, 0, a), inner = product(first, a + 1, first.size());
  float* py = y.data();
  for (std::size_t o = 0; o < outer; ++o)
    for (const Tensor* t : xs) {
      const std::size_t block = static_cast<std::size_t>(t->dim(a)) * inner;
      if (block) std::memcpy(py, t->data() + o * block, block * sizeof(float));
      py += block;
    }
  return y;
}

std::vector<Tensor> split(const Tensor& x, int axis, const std::vector<int>& sizes) {
  const int a = normalize_axis(axis, static_cast<int>(x.rank()), "split");
  long long total = 0;
  bool valid = !sizes.empty();
  for (int s : sizes) {
    valid = valid && s >= 0;
    total += s;
  }
  if (!valid || total != x.dim(a))
    throw std::invalid_argument("split: sizes " + shape_to_string(sizes) + " must be >= 0 and sum to dim " +
                                std::to_string(x.dim(a)) + " of " + x.shape_string());
  const std::size_t outer = product(x.shape(), 0, a), inner = product(x.shape(), a + 1, x.rank());
  std::vector<Tensor> ys;
  std::size_t at = 0;  // element offset of the piece within one outer block
  for (int s : sizes) {
    std::vector<int> shape(x.shape());
    shape[a] = s;
    Tensor y(shape);
    const std::size_t block = static_cast<std::size_t>(s) * inner, stride = static_cast<std::size_t>(x.dim(a)) * inner;
    for (std::size_t o = 0; o < outer && block; ++o)
      std::memcpy(y.data() + o * block, x.data() + o * stride + at, block * sizeof(float));
    at += block;
    ys.push_back(std::move(y));
  }
  return ys;
}

Tensor slice(const Tensor& x, const std::vector<long long>& starts, const std::vector<long long>& ends,
             const std::vector<int>& axes, const std::vector<long long>& steps) {
  const std::size_t n = starts.size();
  if (ends.size() != n || (!axes.empty() && axes.size() != n) || (!steps.empty() && steps.size() != n))
    throw std::invalid_argument("slice: starts, ends, axes and steps differ in length");
  std::vector<SliceAxis> per(x.rank(), SliceAxis{0, 1, 0});
  std::vector<bool> sliced(x.rank(), false);
  for (std::size_t i = 0; i < n; ++i) {
    const int a = normalize_axis(axes.empty() ? static_cast<int>(i) : axes[i], static_cast<int>(x.rank()), "slice");
    if (sliced[a]) throw std::invalid_argument("slice: axis " + std::to_string(a) + " given twice");
    sliced[a] = true;
    per[a] = slice_axis(starts[i], ends[i], steps.empty() ? 1 : steps[i], x.dim(a));
  }
  const auto xs = row_major_strides(x.shape());
  std::vector<int> shape(x.rank());
  std::vector<std::ptrdiff_t> strides(x.rank());
  std::ptrdiff_t base = 0;
  for (std::size_t d = 0; d < x.rank(); ++d) {
    if (!sliced[d]) per[d] = SliceAxis{0, 1, x.dim(d)};
    shape[d] = static_cast<int>(per[d].count);
    strides[d] = static_cast<std::ptrdiff_t>(per[d].step * static_cast<long long>(xs[d]));
    if (per[d].count > 0) base += static_cast<std::ptrdiff_t>(per[d].start * static_cast<long long>(xs[d]));
  }
  return gather_view(x, shape, base, strides);
}

Tensor gather(const Tensor& data, const std::vector<long long>& indices, const std::vector<int>& indices_shape,
              int axis) {
  const int a = normalize_axis(axis, static_cast<int>(data.rank()), "gather");
  for (int d : indices_shape)
    if (d < 0)
      throw std::invalid_argument("gather: negative dimension in indices shape " + shape_to_string(indices_shape));
  if (element_count(indices_shape) != indices.size())
    throw std::invalid_argument("gather: " + std::to_string(indices.size()) + " indices for indices shape " +
                                shape_to_string(indices_shape));
  const long long dim = data.dim(a);
  std::vector<std::size_t> rows(indices.size());
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] < -dim || indices[i] >= dim)
      throw std::invalid_argument("gather: index " + std::to_string(indices[i]) + " out of range [" +
                                  std::to_string(-dim) + ", " + std::to_string(dim) + ") of axis " +
                                  std::to_string(axis) + " of " + data.shape_string());
    rows[i] = static_cast<std::size_t>(indices[i] < 0 ? indices[i] + dim : indices[i]);
  }
  std::vector<int> shape(data.shape().begin(), data.shape().begin() + a);
  shape.insert(shape.end(), indices_shape.begin(), indices_shape.end());
  shape.insert(shape.end(), data.shape().begin() + a + 1, data.shape().end());
  Tensor y(shape);
  const std::size_t outer = product(data.shape(), 0, a), inner = product(data.shape(), a + 1, data.rank());
  float* py = y.data();
  for (std::size_t o = 0; o < outer && inner; ++o)
    for (std::size_t r : rows) {
      std::memcpy(py, data.data() + (o * dim + r) * inner, inner * sizeof(float));
      py += inner;
    }
  return y;
}

Tensor pad_spatial(const Tensor& x, const std::vector<int>& pads, float value) {
  if (x.rank() != 4) throw std::invalid_argument("pad_spatial: input " + x.shape_string() + " is not [N, C, H, W]");
  if (pads.size() != 4 || *std::min_element(pads.begin(), pads.end()) < 0)
    throw std::invalid_argument("pad_spatial: pads " + shape_to_string(pads) +
                                " must be 4 entries [top, left, bottom, right] >= 0");
  const int H = x.dim(2), W = x.dim(3), Hp = H + pads[0] + pads[2], Wp = W + pads[1] + pads[3];
  Tensor y({x.dim(0), x.dim(1), Hp, Wp}, value);
  const std::size_t planes = static_cast<std::size_t>(x.dim(0)) * x.dim(1);
  for (std::size_t pl = 0; pl < planes && W; ++pl)
    for (int h = 0; h < H; ++h)
      std::memcpy(y.data() + (pl * Hp + pads[0] + h) * Wp + pads[1], x.data() + (pl * H + h) * W, W * sizeof(float));
  return y;
}

}  // namespace accsim
