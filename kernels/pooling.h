#pragma once
// 2-D pooling with ONNX MaxPool/AveragePool/GlobalAveragePool semantics (kernel, strides,
// asymmetric pads, dilations, ceil_mode, count_include_pad), run on the host as NVDLA's PDP
// would. x is [N, C, H, W].
#include <vector>

#include "arch/tensor.h"

namespace accsim {

struct PoolWindow {
  std::vector<int> kernel{1, 1};      // [kh, kw] >= 1
  std::vector<int> strides{1, 1};     // >= 1
  std::vector<int> pads{0, 0, 0, 0};  // ONNX order [h_begin, w_begin, h_end, w_end] = top, left, bottom, right; >= 0
  std::vector<int> dilations{1, 1};   // >= 1
  bool ceil_mode = false;
  bool count_include_pad = false;  // AveragePool only
};

// [N, C, P, Q] with P = floor_or_ceil((H + top + bottom - ((kh - 1) * dh + 1)) / sh) + 1 (and
// likewise Q); with ceil_mode a last window that would start in the bottom/right padding is
// dropped (ONNX >= 19 and PyTorch). std::invalid_argument on a bad window or a kernel larger
// than the padded input.
std::vector<int> pool_output_shape(const std::vector<int>& x, const PoolWindow& w);

// Maximum over each window's taps inside the input (padding never wins: it acts as -inf). The
// first maximum in row-major window order wins (signed zeros keep the first); a NaN in the
// window gives NaN (the first NaN's bits, as kernels/activations' max_pool2d), as PyTorch.
Tensor max_pool(const Tensor& x, const PoolWindow& w);

// Mean of each window's taps inside the input, summed in double. The divisor counts, with
// count_include_pad, every tap inside the padded input (taps of a ceil_mode window that run
// past the end padding are never counted, as PyTorch and ONNX's reference), otherwise only
// the taps inside the input. A window with nothing to count gives NaN (0 / 0).
Tensor average_pool(const Tensor& x, const PoolWindow& w);

// Backward passes: dL/dx for dL/dy `grad_y` (shaped like the pool's output). MaxPool sends
// each window's gradient to the tap that won (the first maximum, as max_pool picks it);
// AveragePool spreads it over the counted taps (divided by the same count).
Tensor max_pool_backward(const Tensor& x, const Tensor& grad_y, const PoolWindow& w);
Tensor average_pool_backward(const Tensor& x, const Tensor& grad_y, const PoolWindow& w);
// A MaxPool reading x = relu(v) alone: dL/dv, relu_backward(x, max_pool_backward(x, ...))
// bit for bit (activations.h; the ReLU's backward from its output), in one pass over x
// for the 2x2 pool (a row pair masked while in cache) instead of two.
Tensor max_pool_relu_backward(const Tensor& x, const Tensor& grad_y, const PoolWindow& w);
// [N, C, D1, D2, ...] -> [N, C, 1, 1, ...]: the mean of each plane, summed in double.
Tensor global_average_pool(const Tensor& x);

}  // namespace accsim
