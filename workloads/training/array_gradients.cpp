// Backward passes of Conv, Gemm and MatMul: the products' backward-data and backward-weight
// jobs on the array (ArrayRunner), bias and scaling on the host as in the forward pass.
#include "kernels/activations.h"
#include "kernels/elementwise_gradients.h"
#include "workloads/models/operator_table.h"
#include "workloads/training/gradient_table.h"

namespace accsim {

namespace {

InputGradients conv_backward(GradientContext& c) {
  const Tensor& gy = c.grad(0);
  ArrayRunner::Gradients g = c.forward.array.conv_backward(c.node().name, c.in(0), c.in(1), gy,
                                                           conv_attributes(c.node()), c.need(0), swizzle_seed(c.node()),
                                                           c.later);
  InputGradients out(c.node().inputs.size());
  if (c.need(0)) out[0] = std::move(g.first);
  if (!g.second_later) out[1] = std::move(g.second);
  if (out.size() > 2 && c.need(2)) out[2] = bias_gradient(gy);  // sums over images and positions
  return out;
}

// factor * t: `t` itself when the factor is 1 (no copy), else a scaled copy kept in `store`.
const Tensor& scaled(const Tensor& t, float factor, Tensor& store) {
  if (factor == 1.0f) return t;
  store = t;
  for (float& v : store.values()) v *= factor;
  return store;
}

// dL/dC: dY summed down to C's shape. A bias row C [N] of dY [M, N] (a fully-connected
// layer's) by bias_gradient's vector of chains: each element the same double sum in the
// same order (rows 0..M-1) as reduce_to_shape's element-by-element walk.
Tensor gemm_bias_gradient(const Tensor& gy, const std::vector<int>& c_shape) {
  if (gy.rank() == 2 && c_shape.size() == 1 && c_shape[0] == gy.dim(1)) return bias_gradient(gy);
  return reduce_to_shape(gy, c_shape);
}

// Y = alpha * op(A) op(B) + beta * C.
InputGradients gemm_backward(GradientContext& c) {
  const Node& n = c.node();
  const Tensor& gy = c.grad(0);
  Tensor store;
  ArrayRunner::Gradients g = c.forward.array.gemm_backward(
      n.name, c.in(0), c.in(1), n.get_int("transA", 0) != 0, n.get_int("transB", 0) != 0,
      scaled(gy, n.get_float("alpha", 1.0f), store), c.need(0), swizzle_seed(n), c.later);
  InputGradients out(n.inputs.size());
  if (c.need(0)) out[0] = std::move(g.first);
  if (!g.second_later) out[1] = std::move(g.second);
  if (out.size() > 2 && c.need(2)) out[2] = gemm_bias_gradient(scaled(gy, n.get_float("beta", 1.0f), store), c.in(2).shape());
  return out;
}

InputGradients matmul_backward(GradientContext& c) {
  ArrayRunner::Gradients g =
      c.forward.array.matmul_backward(c.node().name, c.in(0), c.in(1), c.grad(0), c.need(0), swizzle_seed(c.node()));
  InputGradients out(2);
  if (c.need(0)) out[0] = std::move(g.first);
  out[1] = std::move(g.second);
  return out;
}

}  // namespace

const std::vector<GradientDef>& array_gradients() {
  static const std::vector<GradientDef> table = {
      {"Conv", conv_backward, nullptr, {}, nullptr, false},
      {"Gemm", gemm_backward, nullptr, {}, nullptr, false},
      {"MatMul", matmul_backward, nullptr, {}, nullptr, false},
  };
  return table;
}

}  // namespace accsim
