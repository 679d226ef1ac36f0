#pragma once
// Backward passes of the elementwise operators (kernels/unary_ops, kernels/broadcast_ops):
// dL/dinputs from dL/dy, each element in double and rounded once.
#include <vector>

#include "arch/tensor.h"
#include "kernels/broadcast_ops.h"
#include "kernels/unary_ops.h"

namespace accsim {

// Sums g over the axes along which a tensor of `shape` was broadcast to g's shape (numpy
// rules), in double: the gradient of a broadcast operand. std::invalid_argument when
// `shape` does not broadcast to g's.
Tensor reduce_to_shape(const Tensor& g, const std::vector<int>& shape);

// dL/dx of y = op(x); x and y are the forward input and output.
Tensor unary_backward(const Tensor& x, const Tensor& y, const Tensor& grad_y, UnaryOp op, float alpha = 0.01f);

struct BinaryGradients {
  Tensor a, b;  // shaped like the operands
};
// dL/da and dL/db of y = a op b (y the forward output), summed over broadcast axes. Pow's
// exponent gradient is g * y * log(a) where a > 0 and 0 elsewhere (PyTorch's convention).
BinaryGradients binary_backward(const Tensor& a, const Tensor& b, const Tensor& y, const Tensor& grad_y, BinaryOp op);

}  // namespace accsim
