// Backward passes of the data-movement operators: reshapes pass the gradient back in the
// input's shape, Transpose undoes its permutation, Concat and Split swap roles, and Slice
// and Gather scatter-add the gradient onto the elements they read (Gather on an embedding
// table: each row gets the sum of the gradients of every token that read it).
#include <stdexcept>

#include "kernels/elementwise_gradients.h"
#include "kernels/layout_ops.h"
#include "workloads/models/operator_table.h"
#include "workloads/training/gradient_table.h"

namespace accsim {

namespace {

InputGradients reshape(GradientContext& c) {
  InputGradients out(c.node().inputs.size());
  out[0] = c.grad(0).reshaped(c.in(0).shape());
  return out;
}

InputGradients transpose_back(GradientContext& c) {
  const auto perm = c.node().get_ints("perm", {});
  std::vector<int> inverse(c.in(0).rank());
  for (std::size_t i = 0; i < inverse.size(); ++i)
    inverse[perm.empty() ? inverse.size() - 1 - i : static_cast<std::size_t>(perm[i])] = static_cast<int>(i);
  return gradients(transpose(c.grad(0), inverse));
}

InputGradients concat_back(GradientContext& c) {
  const int axis = normalise_axis(c.node().get_int("axis", 0), c.in(0).rank(), c.node());
  std::vector<int> sizes;
  for (std::size_t i = 0; i < c.node().inputs.size(); ++i) sizes.push_back(c.in(i).dim(axis));
  std::vector<Tensor> parts = split(c.grad(0), axis, sizes);
  InputGradients out;
  for (auto& p : parts) out.push_back(std::move(p));
  return out;
}

InputGradients split_back(GradientContext& c) {
  const int axis = normalise_axis(c.node().get_int("axis", 0), c.in(0).rank(), c.node());
  std::vector<Tensor> grads;
  for (std::size_t i = 0; i < c.node().outputs.size(); ++i) grads.push_back(c.grad(i));
  std::vector<const Tensor*> parts;
  for (const auto& g : grads) parts.push_back(&g);
  InputGradients out(c.node().inputs.size());
  out[0] = concat(parts, axis);
  return out;
}

// The node's own forward run on x's flat indices (exact in float up to 2^24 elements):
// which input element each output element was read from.
Tensor source_indices(GradientContext& c) {
  const Tensor& x = c.in(0);
  if (x.size() > (std::size_t{1} << 24))
    throw std::invalid_argument("node " + c.node().name + ": " + c.node().op + " backward supports inputs of up to 2^24 elements");
  Tensor iota(x.shape());
  for (std::size_t i = 0; i < iota.size(); ++i) iota[i] = static_cast<float>(i);
  OperatorContext forward = c.forward;
  forward.inputs[0] = &iota;
  return find_operator(c.node().op)->run(forward).at(0);
}

// Slice, Gather: scatter-add dL/dy onto the elements each output read.
InputGradients scatter_back(GradientContext& c) {
  const Tensor source = source_indices(c);
  const Tensor& g = c.grad(0);
  Tensor gx(c.in(0).shape());
  for (std::size_t i = 0; i < g.size(); ++i) gx[static_cast<std::size_t>(source[i])] += g[i];
  InputGradients out(c.node().inputs.size());
  out[0] = std::move(gx);
  return out;
}

InputGradients expand_back(GradientContext& c) {
  InputGradients out(c.node().inputs.size());
  out[0] = reduce_to_shape(c.grad(0), c.in(0).shape());
  return out;
}

}  // namespace

const std::vector<GradientDef>& layout_gradients() {
  static const std::vector<GradientDef> table = {
      {"Flatten", reshape, nullptr, {}},
      {"Reshape", reshape, nullptr, {}},
      {"Squeeze", reshape, nullptr, {}},
      {"Unsqueeze", reshape, nullptr, {}},
      {"Transpose", transpose_back, nullptr, {}},
      {"Concat", concat_back, nullptr, {}},
      {"Split", split_back, nullptr, {}},
      {"Slice", scatter_back, nullptr, {}},
      {"Gather", scatter_back, nullptr, {}},
      {"Expand", expand_back, nullptr, {}},
  };
  return table;
}

}  // namespace accsim
