#pragma once
// Elementwise activations and unary maths (ONNX Relu, LeakyRelu, Sigmoid, Tanh, Erf, Gelu,
// Sqrt, Exp, Neg, Reciprocal, Identity/Dropout), run on the host as NVDLA's SDP would.
#include "arch/tensor.h"

namespace accsim {

enum class UnaryOp { relu, leaky_relu, sigmoid, tanh, erf, gelu, sqrt, exp, neg, reciprocal, identity };

// y = op(x) elementwise, in float with the same expressions as PyTorch's CPU kernels, so
// NaN, infinities and signed zeros come out as there: relu keeps NaN and -0 (x < 0 ? 0 : x),
// leaky_relu is x > 0 ? x : x * alpha, sigmoid 1 / (1 + exp(-x)), gelu the exact erf form
// x * 0.5 * (1 + erf(x / sqrt(2))) (NaN at -inf, as PyTorch), sqrt of a negative is NaN,
// reciprocal 1 / x. `alpha` is used by leaky_relu only. `threads`: split over the worker
// pool (split_rows.h; the same bits on any count).
Tensor unary_op(const Tensor& x, UnaryOp op, float alpha = 0.01f, int threads = 1);
// The same written over x.
void unary_op_in_place(Tensor& x, UnaryOp op, float alpha = 0.01f, int threads = 1);

}  // namespace accsim
