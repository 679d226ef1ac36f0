#include "kernels/unary_ops.h"

#include <cmath>
#include <stdexcept>

namespace accsim {
namespace {

template <class F>
Tensor map(const Tensor& x, F f) {
  Tensor y = x;  // a copy, not a zero-filled tensor written over (one pass over memory less)
  float* py = y.data();
  for (std::size_t i = 0, n = y.size(); i < n; ++i) py[i] = f(py[i]);
  return y;
}

}  // namespace

Tensor unary_op(const Tensor& x, UnaryOp op, float alpha) {
  constexpr float kInvSqrt2 = 0.70710678118654752440f;
  switch (op) {
    case UnaryOp::relu: return map(x, [](float v) { return v < 0.0f ? 0.0f : v; });
    case UnaryOp::leaky_relu: return map(x, [alpha](float v) { return v > 0.0f ? v : v * alpha; });
    case UnaryOp::sigmoid: return map(x, [](float v) { return 1.0f / (1.0f + std::exp(-v)); });
    case UnaryOp::tanh: return map(x, [](float v) { return std::tanh(v); });
    case UnaryOp::erf: return map(x, [](float v) { return std::erf(v); });
    case UnaryOp::gelu: return map(x, [](float v) { return v * 0.5f * (1.0f + std::erf(v * kInvSqrt2)); });
    case UnaryOp::sqrt: return map(x, [](float v) { return std::sqrt(v); });
    case UnaryOp::exp: return map(x, [](float v) { return std::exp(v); });
    case UnaryOp::neg: return map(x, [](float v) { return -v; });
    case UnaryOp::reciprocal: return map(x, [](float v) { return 1.0f / v; });
    case UnaryOp::identity: return x;
  }
  throw std::invalid_argument("unary_op: unknown operator");
}

}  // namespace accsim
