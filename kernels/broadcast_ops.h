#pragma once
// Elementwise binary operators with numpy/ONNX multidirectional broadcasting (ONNX Add,
// Sub, Mul, Div, Pow), run on the host as NVDLA's SDP would.
#include <vector>

#include "arch/tensor.h"

namespace accsim {

enum class BinaryOp { add, sub, mul, div, pow };

// numpy rules: shapes aligned at the right, each pair of dimensions equal or one of them 1
// (a 0 pairs with 0 or 1). std::invalid_argument if they do not broadcast.
std::vector<int> broadcast_shape(const std::vector<int>& a, const std::vector<int>& b);

// y = a op b elementwise over broadcast_shape(a, b), in float as PyTorch does (one IEEE
// operation per element; pow is std::pow in float, so NaN and infinities follow C's pow).
// `threads`: the output's leading dimension split over the worker pool (split_rows.h).
Tensor binary_op(const Tensor& a, const Tensor& b, BinaryOp op, int threads = 1);
// The same written over a, whose shape must be the broadcast shape (b may be a itself);
// std::invalid_argument otherwise.
void binary_op_in_place(Tensor& a, const Tensor& b, BinaryOp op, int threads = 1);

// x repeated along its size-1 (and missing leading) dimensions to `shape` (ONNX Expand with
// an exact target shape, numpy broadcast_to); std::invalid_argument if x does not broadcast
// to exactly `shape`.
Tensor broadcast_to(const Tensor& x, const std::vector<int>& shape);

}  // namespace accsim
