#include "kernels/broadcast_ops.h"

#include <cmath>
#include <cstddef>
#include <stdexcept>

#include "kernels/split_rows.h"
#include "kernels/strided_walk.h"
#include "kernels/tensor_shape.h"

namespace accsim {
namespace {

// x's element step per dimension of an output of rank `rank` (right-aligned; 0 where broadcast).
std::vector<std::ptrdiff_t> broadcast_strides(const std::vector<int>& x, std::size_t rank) {
  std::vector<std::ptrdiff_t> s(rank, 0);
  const auto own = row_major_strides(x);
  const std::size_t lead = rank - x.size();
  for (std::size_t i = 0; i < x.size(); ++i)
    if (x[i] != 1) s[lead + i] = static_cast<std::ptrdiff_t>(own[i]);
  return s;
}

template <class F>
void apply_rows(const float* pa, const float* pb, float* py, const std::vector<int>& shape,
                const std::array<std::vector<std::ptrdiff_t>, 2>& strides, F f) {
  walk_rows<2>(shape, strides,
               [&](std::size_t o, int n, const std::array<std::ptrdiff_t, 2>& off,
                   const std::array<std::ptrdiff_t, 2>& step) {
                 const float* ra = pa + off[0];
                 const float* rb = pb + off[1];
                 float* ry = py + o;
                 if (step[0] == 1 && step[1] == 1) {
                   for (int j = 0; j < n; ++j) ry[j] = f(ra[j], rb[j]);
                 } else if (step[1] == 0) {
                   const float s = *rb;
                   for (int j = 0; j < n; ++j) ry[j] = f(ra[j * step[0]], s);
                 } else {
                   for (int j = 0; j < n; ++j) ry[j] = f(ra[j * step[0]], rb[j * step[1]]);
                 }
               });
}

// The output's leading dimension split over threads: each range is the same broadcast
// walk on a sub-view, so every element gets the one operation it gets on one thread.
template <class F>
void apply(const Tensor& a, const Tensor& b, Tensor& y, F f, int threads) {
  const std::size_t rank = y.rank();
  const std::array<std::vector<std::ptrdiff_t>, 2> strides{broadcast_strides(a.shape(), rank),
                                                           broadcast_strides(b.shape(), rank)};
  if (rank == 0 || y.size() == 0) return apply_rows(a.data(), b.data(), y.data(), y.shape(), strides, f);
  const std::size_t lead = static_cast<std::size_t>(y.dim(0)), inner = y.size() / lead;
  split_rows(threads, lead, inner, [&](std::size_t begin, std::size_t end) {
    std::vector<int> part(y.shape());
    part[0] = static_cast<int>(end - begin);
    const auto at = static_cast<std::ptrdiff_t>(begin);
    apply_rows(a.data() + at * strides[0][0], b.data() + at * strides[1][0], y.data() + begin * inner, part, strides, f);
  });
}

}  // namespace

std::vector<int> broadcast_shape(const std::vector<int>& a, const std::vector<int>& b) {
  const std::size_t rank = a.size() > b.size() ? a.size() : b.size();
  std::vector<int> y(rank);
  for (std::size_t i = 0; i < rank; ++i) {
    const int da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw std::invalid_argument("broadcast: shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                                  " do not broadcast (dimension " + std::to_string(i) + ": " + std::to_string(da) +
                                  " vs " + std::to_string(db) + ")");
    y[i] = da == 1 ? db : da;
  }
  return y;
}

namespace {

// y = a op b; y may be a (each element is read before it is written, at the same index).
void binary_into(const Tensor& a, const Tensor& b, BinaryOp op, int threads, Tensor& y) {
  switch (op) {
    case BinaryOp::add: apply(a, b, y, [](float u, float v) { return u + v; }, threads); break;
    case BinaryOp::sub: apply(a, b, y, [](float u, float v) { return u - v; }, threads); break;
    case BinaryOp::mul: apply(a, b, y, [](float u, float v) { return u * v; }, threads); break;
    case BinaryOp::div: apply(a, b, y, [](float u, float v) { return u / v; }, threads); break;
    case BinaryOp::pow: apply(a, b, y, [](float u, float v) { return std::pow(u, v); }, threads); break;
    default: throw std::invalid_argument("binary_op: unknown operator");
  }
}

}  // namespace

Tensor binary_op(const Tensor& a, const Tensor& b, BinaryOp op, int threads) {
  Tensor y(broadcast_shape(a.shape(), b.shape()), Tensor::uninitialized);
  binary_into(a, b, op, threads, y);
  return y;
}

void binary_op_in_place(Tensor& a, const Tensor& b, BinaryOp op, int threads) {
  if (broadcast_shape(a.shape(), b.shape()) != a.shape())
    throw std::invalid_argument("binary_op_in_place: " + b.shape_string() + " broadcasts " + a.shape_string() +
                                " to another shape");
  binary_into(a, b, op, threads, a);
}

Tensor broadcast_to(const Tensor& x, const std::vector<int>& shape) {
  if (x.rank() > shape.size() || broadcast_shape(x.shape(), shape) != shape)
    throw std::invalid_argument("broadcast_to: " + x.shape_string() + " does not broadcast to " +
                                shape_to_string(shape));
  Tensor y(shape, Tensor::uninitialized);
  const float* px = x.data();
  float* py = y.data();
  walk_rows<1>(shape, {broadcast_strides(x.shape(), shape.size())},
               [&](std::size_t o, int n, const std::array<std::ptrdiff_t, 1>& off,
                   const std::array<std::ptrdiff_t, 1>& step) {
                 for (int j = 0; j < n; ++j) py[o + j] = px[off[0] + j * step[0]];
               });
  return y;
}

}  // namespace accsim
