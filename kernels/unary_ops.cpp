#include "kernels/unary_ops.h"

#include <cmath>
#include <stdexcept>

#include "kernels/split_rows.h"

namespace accsim {
namespace {

template <class F>
void map(Tensor& y, F f, int threads) {
  float* py = y.data();
  split_rows(threads, y.size(), 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) py[i] = f(py[i]);
  });
}

}  // namespace

Tensor unary_op(const Tensor& x, UnaryOp op, float alpha, int threads) {
  Tensor y = x;  // a copy, not a zero-filled tensor written over (one pass over memory less)
  unary_op_in_place(y, op, alpha, threads);
  return y;
}

void unary_op_in_place(Tensor& x, UnaryOp op, float alpha, int threads) {
  constexpr float kInvSqrt2 = 0.70710678118654752440f;
  switch (op) {
    case UnaryOp::relu: return map(x, [](float v) { return v < 0.0f ? 0.0f : v; }, threads);
    case UnaryOp::leaky_relu: return map(x, [alpha](float v) { return v > 0.0f ? v : v * alpha; }, threads);
    case UnaryOp::sigmoid: return map(x, [](float v) { return 1.0f / (1.0f + std::exp(-v)); }, threads);
    case UnaryOp::tanh: return map(x, [](float v) { return std::tanh(v); }, threads);
    case UnaryOp::erf: return map(x, [](float v) { return std::erf(v); }, threads);
    case UnaryOp::gelu: return map(x, [](float v) { return v * 0.5f * (1.0f + std::erf(v * kInvSqrt2)); }, threads);
    case UnaryOp::sqrt: return map(x, [](float v) { return std::sqrt(v); }, threads);
    case UnaryOp::exp: return map(x, [](float v) { return std::exp(v); }, threads);
    case UnaryOp::neg: return map(x, [](float v) { return -v; }, threads);
    case UnaryOp::reciprocal: return map(x, [](float v) { return 1.0f / v; }, threads);
    case UnaryOp::identity: return;
  }
  throw std::invalid_argument("unary_op: unknown operator");
}

}  // namespace accsim
