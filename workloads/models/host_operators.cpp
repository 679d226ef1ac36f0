// The operators that run on the host between array jobs (NVDLA's SDP, PDP and CDP
// would): element-wise arithmetic and activations, normalisations, pooling and the
// layout operators, each a thin adapter from a Node's attributes to a kernel.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernels/activations.h"
#include "kernels/broadcast_ops.h"
#include "kernels/layout_ops.h"
#include "kernels/normalization.h"
#include "kernels/pooling.h"
#include "kernels/reduce_sum.h"
#include "kernels/split_rows.h"
#include "kernels/unary_ops.h"
#include "workloads/models/operator_table.h"
#include "workloads/models/relu_clip.h"

namespace accsim {

std::vector<int> reduce_axes(const OperatorContext& c) {
  std::vector<long long> axes = c.node.get_ints("axes", {});
  if (c.int_inputs.size() > 1 && c.int_inputs[1]) axes = c.int_inputs[1]->values;
  std::vector<int> out;
  for (long long a : axes) out.push_back(normalise_axis(a, c.in(0).rank(), c.node));
  return out;
}

PoolWindow pool_window(const Node& node) {
  PoolWindow w;
  const auto as_int = [](const std::vector<long long>& v) { return std::vector<int>(v.begin(), v.end()); };
  w.kernel = as_int(node.get_ints("kernel_shape", {1, 1}));
  w.strides = as_int(node.get_ints("strides", {1, 1}));
  w.pads = as_int(node.get_ints("pads", {0, 0, 0, 0}));
  w.dilations = as_int(node.get_ints("dilations", {1, 1}));
  w.ceil_mode = node.get_int("ceil_mode", 0) != 0;
  w.count_include_pad = node.get_int("count_include_pad", 0) != 0;
  return w;
}

namespace {

using Result = std::vector<Tensor>;

void no_check(const Node&, const Graph&) {}

// Elementwise results go into input 0's value when nothing else reads it (no new tensor).
template <BinaryOp op>
Result binary(OperatorContext& c) {
  const Tensor &a = c.in(0), &b = c.in(1);
  if (!c.consumable || broadcast_shape(a.shape(), b.shape()) != a.shape())
    return one_output(binary_op(a, b, op, c.array.host_threads()));
  binary_op_in_place(*c.consumable, b, op, c.array.host_threads());
  return one_output(std::move(*c.consumable));
}

// x itself when it may be consumed, else a copy, to be written over.
Tensor own_input(OperatorContext& c) { return c.consumable ? std::move(*c.consumable) : c.in(0); }

template <UnaryOp op>
Result unary(OperatorContext& c) {
  Tensor y = own_input(c);
  unary_op_in_place(y, op, c.node.get_float("alpha", 0.01f), c.array.host_threads());
  return one_output(std::move(y));
}

Result identity(OperatorContext& c) { return one_output(c.in(0)); }

// ONNX Relu, or the clipped ReLU of an activation-clipping mitigation (relu_clip.h).
Result relu_op(OperatorContext& c) {
  const ActivationClip clip = relu_clip(c.node);
  if (!c.consumable) return one_output(clipped_relu(c.in(0), clip, c.array.host_threads()));
  clipped_relu_in_place(*c.consumable, clip, c.array.host_threads());
  return one_output(std::move(*c.consumable));
}

void check_relu(const Node& node, const Graph&) { relu_clip(node); }

void check_dropout(const Node& node, const Graph&) {
  if (node.outputs.size() > 1 && !node.outputs[1].empty()) throw std::invalid_argument("the mask output of Dropout is not supported");
}

void check_cast(const Node& node, const Graph&) {
  if (node.get_int("to", 1) != 1) throw std::invalid_argument("Cast of data to a non-float type is not supported");
}

Result clip(OperatorContext& c) {
  float lo = -INFINITY, hi = INFINITY;
  if (c.node.has("min")) lo = c.node.get_float("min", lo);
  if (c.node.has("max")) hi = c.node.get_float("max", hi);
  if (c.inputs.size() > 1 && c.inputs[1]) lo = (*c.inputs[1])[0];
  if (c.inputs.size() > 2 && c.inputs[2]) hi = (*c.inputs[2])[0];
  Tensor y = own_input(c);
  float* py = y.data();
  split_rows(c.array.host_threads(), y.size(), 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i)
      if (!std::isnan(py[i])) py[i] = std::min(std::max(py[i], lo), hi);
  });
  return one_output(std::move(y));
}

int axis_attribute(const OperatorContext& c, long long fallback) {
  return normalise_axis(c.node.get_int("axis", fallback), c.in(0).rank(), c.node);
}

void check_softmax(const Node& node, const Graph& g) {
  const std::size_t rank = g.shape_of(node.input(0)).size();
  const int axis = normalise_axis(node.get_int("axis", g.opset < 13 ? 1 : -1), rank, node);
  if (g.opset < 13 && axis != static_cast<int>(rank) - 1)
    throw std::invalid_argument("Softmax before opset 13 flattens at its axis; only the last axis is supported there");
}

Result softmax_op(OperatorContext& c) {
  const int axis = axis_attribute(c, -1);
  if (!c.consumable) return one_output(softmax(c.in(0), axis, c.array.host_threads()));
  Tensor y = std::move(*c.consumable);
  softmax_in_place(y, axis, c.array.host_threads());
  return one_output(std::move(y));
}

Result layer_normalization(OperatorContext& c) {
  const Tensor* bias = c.inputs.size() > 2 ? c.inputs[2] : nullptr;
  const int axis = axis_attribute(c, -1);
  const float epsilon = c.node.get_float("epsilon", 1e-5f);
  // Scale or bias being input 0 itself would be overwritten while read: no consuming then.
  if (!c.consumable || &c.in(1) == c.consumable || bias == c.consumable)
    return one_output(layer_norm(c.in(0), c.in(1), bias, axis, epsilon, c.array.host_threads()));
  Tensor y = std::move(*c.consumable);
  layer_norm_in_place(y, c.in(1), bias, axis, epsilon, c.array.host_threads());
  return one_output(std::move(y));
}

void check_layer_norm(const Node& node, const Graph&) {
  if (node.outputs.size() > 1) throw std::invalid_argument("only the Y output of LayerNormalization is supported");
}

Result batch_normalization(OperatorContext& c) {
  return one_output(batch_norm_inference(c.in(0), c.in(1), c.in(2), c.in(3), c.in(4), c.node.get_float("epsilon", 1e-5f)));
}

void check_batch_norm(const Node& node, const Graph&) {
  if (node.get_int("training_mode", 0) != 0 || node.outputs.size() > 1)
    throw std::invalid_argument("only inference-mode BatchNormalization (one output) is supported");
}

Result reduce_mean_op(OperatorContext& c) {
  return one_output(reduce_mean(c.in(0), reduce_axes(c), c.node.get_int("keepdims", 1) != 0, c.array.host_threads()));
}

// ReduceSum sums in fp32 in index order (kernels/reduce_sum.h); with no axes it sums
// everything, unless noop_with_empty_axes makes it an Identity (ONNX).
Result reduce_sum_op(OperatorContext& c) {
  const std::vector<int> axes = reduce_axes(c);
  if (axes.empty() && c.node.get_int("noop_with_empty_axes", 0) != 0) return one_output(c.in(0));
  return one_output(reduce_sum(c.in(0), axes, c.node.get_int("keepdims", 1) != 0));
}

// The axes, from the attribute (opset < 13) or a constant input, lie inside the input's
// rank and name no axis twice.
void check_reduce_sum(const Node& node, const Graph& g) {
  std::vector<long long> axes = node.get_ints("axes", {});
  if (!node.input(1).empty()) {
    require_int_input(node, g, 1, "axes");
    axes = g.int_constants.at(node.input(1)).values;
  }
  const std::size_t rank = g.shape_of(node.input(0)).size();
  std::vector<int> seen;
  for (long long a : axes) {
    const int axis = normalise_axis(a, rank, node);
    if (std::find(seen.begin(), seen.end(), axis) != seen.end())
      throw std::invalid_argument("axis " + std::to_string(a) + " is given twice");
    seen.push_back(axis);
  }
  const long long noop = node.get_int("noop_with_empty_axes", 0);
  if (noop != 0 && noop != 1) throw std::invalid_argument("noop_with_empty_axes must be 0 or 1, got " + std::to_string(noop));
}

void check_pool(const Node& node, const Graph& g) {
  if (g.shape_of(node.input(0)).size() != 4) throw std::invalid_argument("only 2-D pooling of [N,C,H,W] is supported");
  const std::string auto_pad = node.get_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") throw std::invalid_argument("auto_pad " + auto_pad + " is not supported (export explicit pads)");
  if (node.get_ints("kernel_shape", {}).size() != 2) throw std::invalid_argument("kernel_shape must have 2 values");
  if (node.outputs.size() > 1) throw std::invalid_argument("the Indices output of MaxPool is not supported");
  if (node.get_int("storage_order", 0) != 0) throw std::invalid_argument("storage_order 1 is not supported");
}

Result max_pool_op(OperatorContext& c) { return one_output(max_pool(c.in(0), pool_window(c.node))); }
Result average_pool_op(OperatorContext& c) { return one_output(average_pool(c.in(0), pool_window(c.node))); }
Result global_average_pool_op(OperatorContext& c) { return one_output(global_average_pool(c.in(0))); }

// Reshape-like operators: the output shape is the one shape inference settled at load.
Result reshape_to_graph_shape(OperatorContext& c) { return one_output(c.in(0).reshaped(c.graph.shape_of(c.node.outputs[0]))); }

void check_reshape(const Node& node, const Graph& g) { require_int_input(node, g, 1, "shape"); }

void check_axes_input(const Node& node, const Graph& g) {
  if (!node.has("axes") && node.inputs.size() > 1) require_int_input(node, g, 1, "axes");
}

Result transpose_op(OperatorContext& c) {
  const auto perm = c.node.get_ints("perm", {});
  return one_output(transpose(c.in(0), std::vector<int>(perm.begin(), perm.end()), c.array.host_threads()));
}

Result concat_op(OperatorContext& c) {
  std::vector<const Tensor*> xs;
  for (std::size_t i = 0; i < c.node.inputs.size(); ++i) xs.push_back(&c.in(i));
  return one_output(concat(xs, axis_attribute(c, 0)));
}

void check_concat(const Node& node, const Graph& g) {
  for (const auto& in : node.inputs)
    if (g.int_constants.count(in)) throw std::invalid_argument("Concat of integer data is not supported");
}

Result split_op(OperatorContext& c) {
  const int axis = axis_attribute(c, 0);
  std::vector<long long> sizes = c.node.get_ints("split", {});
  if (c.int_inputs.size() > 1 && c.int_inputs[1]) sizes = c.int_inputs[1]->values;
  if (sizes.empty()) {
    const int parts = static_cast<int>(c.node.outputs.size());
    sizes.assign(parts, c.in(0).dim(axis) / parts);
  }
  return split(c.in(0), axis, std::vector<int>(sizes.begin(), sizes.end()));
}

Result slice_op(OperatorContext& c) {
  const std::size_t rank = c.in(0).rank();
  const auto& starts = c.ints(1).values;
  const auto& ends = c.ints(2).values;
  std::vector<int> axes;
  if (c.int_inputs.size() > 3 && c.int_inputs[3])
    for (long long a : c.int_inputs[3]->values) axes.push_back(normalise_axis(a, rank, c.node));
  else
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int>(i));
  std::vector<long long> steps(starts.size(), 1);
  if (c.int_inputs.size() > 4 && c.int_inputs[4]) steps = c.int_inputs[4]->values;
  return one_output(slice(c.in(0), starts, ends, axes, steps));
}

void check_slice(const Node& node, const Graph& g) {
  require_int_input(node, g, 1, "starts");
  require_int_input(node, g, 2, "ends");
  for (std::size_t i = 3; i < node.inputs.size(); ++i)
    if (!node.input(i).empty()) require_int_input(node, g, i, i == 3 ? "axes" : "steps");
}

Result gather_op(OperatorContext& c) {
  const IntTensor& idx = c.ints(1);
  return one_output(gather(c.in(0), idx.values, idx.shape, axis_attribute(c, 0)));
}

void check_gather(const Node& node, const Graph& g) { require_int_input(node, g, 1, "indices"); }

// Expand: a broadcast copy to the output shape (adding zeros would turn -0 into +0).
Result expand_op(OperatorContext& c) { return one_output(broadcast_to(c.in(0), c.graph.shape_of(c.node.outputs[0]))); }

void check_expand(const Node& node, const Graph& g) { require_int_input(node, g, 1, "shape"); }

}  // namespace

const std::vector<OperatorDef>& host_operators() {
  static const std::vector<OperatorDef> table = {
      {"Add", false, binary<BinaryOp::add>, no_check},
      {"Sub", false, binary<BinaryOp::sub>, no_check},
      {"Mul", false, binary<BinaryOp::mul>, no_check},
      {"Div", false, binary<BinaryOp::div>, no_check},
      {"Pow", false, binary<BinaryOp::pow>, no_check},
      {"Relu", false, relu_op, check_relu},
      {"LeakyRelu", false, unary<UnaryOp::leaky_relu>, no_check},
      {"Sigmoid", false, unary<UnaryOp::sigmoid>, no_check},
      {"Tanh", false, unary<UnaryOp::tanh>, no_check},
      {"Erf", false, unary<UnaryOp::erf>, no_check},
      {"Gelu", false, unary<UnaryOp::gelu>, no_check},
      {"Sqrt", false, unary<UnaryOp::sqrt>, no_check},
      {"Exp", false, unary<UnaryOp::exp>, no_check},
      {"Neg", false, unary<UnaryOp::neg>, no_check},
      {"Reciprocal", false, unary<UnaryOp::reciprocal>, no_check},
      {"Clip", false, clip, no_check},
      {"Identity", false, identity, no_check},
      {"Dropout", false, identity, check_dropout},
      {"Cast", false, identity, check_cast},
      {"Softmax", false, softmax_op, check_softmax},
      {"LayerNormalization", false, layer_normalization, check_layer_norm},
      {"BatchNormalization", false, batch_normalization, check_batch_norm},
      {"ReduceMean", false, reduce_mean_op, no_check},
      {"ReduceSum", false, reduce_sum_op, check_reduce_sum},
      {"MaxPool", false, max_pool_op, check_pool},
      {"AveragePool", false, average_pool_op, check_pool},
      {"GlobalAveragePool", false, global_average_pool_op, no_check},
      {"Flatten", false, reshape_to_graph_shape, no_check},
      {"Reshape", false, reshape_to_graph_shape, check_reshape},
      {"Squeeze", false, reshape_to_graph_shape, check_axes_input},
      {"Unsqueeze", false, reshape_to_graph_shape, check_axes_input},
      {"Transpose", false, transpose_op, no_check},
      {"Concat", false, concat_op, check_concat},
      {"Split", false, split_op, check_axes_input},
      {"Slice", false, slice_op, check_slice},
      {"Gather", false, gather_op, check_gather},
      {"Expand", false, expand_op, check_expand},
  };
  return table;
}

}  // namespace accsim
