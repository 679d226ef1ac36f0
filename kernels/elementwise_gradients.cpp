#include "kernels/elementwise_gradients.h"

#include <cmath>
#include <stdexcept>

#include "kernels/tensor_shape.h"

namespace accsim {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Per unary op: dy/dx from x and y.
double unary_derivative(UnaryOp op, double x, double y, double alpha) {
  switch (op) {
    case UnaryOp::relu: return 1.0;  // x > 0 or NaN (unary_backward zeroes the rest)
    case UnaryOp::leaky_relu: return x > 0 ? 1.0 : alpha;
    case UnaryOp::sigmoid: return y * (1.0 - y);
    case UnaryOp::tanh: return 1.0 - y * y;
    case UnaryOp::erf: return 2.0 / std::sqrt(kPi) * std::exp(-x * x);
    case UnaryOp::gelu: return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi);
    case UnaryOp::sqrt: return 0.5 / y;
    case UnaryOp::exp: return y;
    case UnaryOp::neg: return -1.0;
    case UnaryOp::reciprocal: return -y * y;
    case UnaryOp::identity: return 1.0;
  }
  throw std::logic_error("unary_backward: unknown operator");
}

struct Partials {
  double a, b;
};

// Per binary op: dy/da and dy/db at one element.
Partials binary_partials(BinaryOp op, double a, double b, double y) {
  switch (op) {
    case BinaryOp::add: return {1.0, 1.0};
    case BinaryOp::sub: return {1.0, -1.0};
    case BinaryOp::mul: return {b, a};
    case BinaryOp::div: return {1.0 / b, -a / (b * b)};
    case BinaryOp::pow: return {b * std::pow(a, b - 1.0), a > 0 ? y * std::log(a) : 0.0};
  }
  throw std::logic_error("binary_backward: unknown operator");
}

}  // namespace

Tensor reduce_to_shape(const Tensor& g, const std::vector<int>& shape) {
  if (broadcast_shape(shape, g.shape()) != g.shape())
    throw std::invalid_argument("reduce_to_shape: " + shape_to_string(shape) + " does not broadcast to " + g.shape_string());
  if (shape == g.shape()) return g;
  const std::size_t rank = g.rank(), offset = rank - shape.size();
  std::vector<std::size_t> stride(rank, 0);  // target stride per g dim, 0 where broadcast
  std::size_t s = 1;
  for (std::size_t d = shape.size(); d-- > 0;) {
    if (shape[d] != 1) stride[d + offset] = s;
    s *= static_cast<std::size_t>(shape[d]);
  }
  std::vector<double> acc(s, 0.0);
  std::vector<int> coord(rank, 0);
  std::size_t target = 0;
  for (std::size_t i = 0; i < g.size(); ++i) {
    acc[target] += g[i];
    for (std::size_t d = rank; d-- > 0;) {  // odometer step, keeping the target offset
      target += stride[d];
      if (++coord[d] < g.dim(d)) break;
      target -= stride[d] * static_cast<std::size_t>(coord[d]);
      coord[d] = 0;
    }
  }
  Tensor out(shape);
  for (std::size_t i = 0; i < s; ++i) out[i] = static_cast<float>(acc[i]);
  return out;
}

Tensor unary_backward(const Tensor& x, const Tensor& y, const Tensor& grad_y, UnaryOp op, float alpha) {
  if (x.shape() != grad_y.shape() || y.shape() != grad_y.shape())
    throw std::invalid_argument("unary_backward: shapes differ");
  Tensor gx(x.shape());
  for (std::size_t i = 0; i < gx.size(); ++i)
    gx[i] = op == UnaryOp::relu && !(x[i] > 0.0f) && !std::isnan(x[i])
                ? 0.0f  // +0 where x <= 0 and NaN passes, as PyTorch's threshold_backward
                : static_cast<float>(grad_y[i] * unary_derivative(op, x[i], y[i], alpha));
  return gx;
}

BinaryGradients binary_backward(const Tensor& a, const Tensor& b, const Tensor& y, const Tensor& grad_y, BinaryOp op) {
  const std::vector<int>& shape = grad_y.shape();
  const Tensor ab = broadcast_to(a, shape), bb = broadcast_to(b, shape);
  Tensor ga(shape), gb(shape);
  for (std::size_t i = 0; i < ga.size(); ++i) {
    const Partials p = binary_partials(op, ab[i], bb[i], y[i]);
    ga[i] = static_cast<float>(grad_y[i] * p.a);
    gb[i] = static_cast<float>(grad_y[i] * p.b);
  }
  return {reduce_to_shape(ga, a.shape()), reduce_to_shape(gb, b.shape())};
}

}  // namespace accsim
