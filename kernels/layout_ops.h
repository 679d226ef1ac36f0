#pragma once
// Data movement with ONNX semantics (Transpose, Concat, Split, Slice, Gather, Pad of the two
// spatial dims), run on the host. Reshape, Flatten, Squeeze and Unsqueeze are Tensor::reshaped.
#include <vector>

#include "arch/tensor.h"

namespace accsim {

// y's dim i is x's dim perm[i]; an empty perm reverses the dims (ONNX default). `threads`:
// y's leading dimension split over the worker pool (split_rows.h).
Tensor transpose(const Tensor& x, const std::vector<int>& perm, int threads = 1);

// Joins tensors of equal rank and equal dims except `axis` (negative counts from the end).
Tensor concat(const std::vector<const Tensor*>& xs, int axis);

// Cuts x along `axis` into pieces of the given sizes (each >= 0, summing to x's dim).
std::vector<Tensor> split(const Tensor& x, int axis, const std::vector<int>& sizes);

// ONNX Slice: per listed axis (empty axes = 0, 1, ...; negative allowed, no repeats),
// start/end count from the end when negative and are clamped to [0, dim] (step > 0) or
// [0, dim - 1] / [-1, dim - 1] (step < 0), so INT64_MAX / INT64_MIN mean "to the end";
// steps (empty = all 1) may be negative, never 0.
Tensor slice(const Tensor& x, const std::vector<long long>& starts, const std::vector<long long>& ends,
             const std::vector<int>& axes, const std::vector<long long>& steps);

// ONNX Gather: y = data[:axis] x indices_shape x data[axis+1:], taking data's slices at
// `indices` (row-major over indices_shape; negative counts from the end). An index outside
// [-dim, dim) is std::invalid_argument.
Tensor gather(const Tensor& data, const std::vector<long long>& indices, const std::vector<int>& indices_shape,
              int axis);

// [N, C, H, W] -> [N, C, top + H + bottom, left + W + right], new cells = value.
// pads = [top, left, bottom, right] (ONNX's [h_begin, w_begin, h_end, w_end]), each >= 0.
Tensor pad_spatial(const Tensor& x, const std::vector<int>& pads, float value = 0.0f);

}  // namespace accsim
