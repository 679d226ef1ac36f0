#include "kernels/broadcast_ops.h"

#include <cmath>
#include <cstddef>
#include <stdexcept>

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
void apply(const Tensor& a, const Tensor& b, Tensor& y, F f) {
  const float* pa = a.data();
  const float* pb = b.data();
  float* py = y.data();
  const std::size_t rank = y.rank();
  walk_rows<2>(y.shape(), {broadcast_strides(a.shape(), rank), broadcast_strides(b.shape(), rank)},
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

Tensor binary_op(const Tensor& a, const Tensor& b, BinaryOp op) {
  Tensor y(broadcast_shape(a.shape(), b.shape()));
  switch (op) {
    case BinaryOp::add: apply(a, b, y, [](float u, float v) { return u + v; }); break;
    case BinaryOp::sub: apply(a, b, y, [](float u, float v) { return u - v; }); break;
    case BinaryOp::mul: apply(a, b, y, [](float u, float v) { return u * v; }); break;
    case BinaryOp::div: apply(a, b, y, [](float u, float v) { return u / v; }); break;
    case BinaryOp::pow: apply(a, b, y, [](float u, float v) { return std::pow(u, v); }); break;
    default: throw std::invalid_argument("binary_op: unknown operator");
  }
  return y;
}

Tensor broadcast_to(const Tensor& x, const std::vector<int>& shape) {
  if (x.rank() > shape.size() || broadcast_shape(x.shape(), shape) != shape)
    throw std::invalid_argument("broadcast_to: " + x.shape_string() + " does not broadcast to " +
                                shape_to_string(shape));
  Tensor y(shape);
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
