#pragma once
// Normalisations and mean reductions (ONNX Softmax, LayerNormalization,
// BatchNormalization in inference mode, ReduceMean), run on the host as NVDLA's SDP/CDP
// would. Sums are accumulated in double and rounded once: the result is at least as close
// to the exact value as PyTorch's float accumulation.
#include <vector>

#include "arch/tensor.h"

namespace accsim {

// exp(x - max) / sum along `axis` (negative counts from the end; ONNX opset >= 13 semantics,
// one axis). exp in float, the sum in double, the division in double rounded once. A NaN,
// +inf, or all -inf in a slice makes that whole slice NaN (as PyTorch); -inf entries
// otherwise get 0. `threads`: the independent slices split over the worker pool
// (split_rows.h; the same bits on any count), as for layer_norm's rows.
Tensor softmax(const Tensor& x, int axis, int threads = 1);
void softmax_in_place(Tensor& x, int axis, int threads = 1);  // the same written over x

// Normalises x over dims [axis, rank): (x - mean) / sqrt(var + epsilon) * scale + bias, with
// the biased variance, mean and variance in double. scale and (optional) bias must broadcast
// (numpy rules) to exactly x's dims [axis, rank), e.g. shaped like them.
Tensor layer_norm(const Tensor& x, const Tensor& scale, const Tensor* bias, int axis, float epsilon, int threads = 1);
// The same written over x.
void layer_norm_in_place(Tensor& x, const Tensor& scale, const Tensor* bias, int axis, float epsilon, int threads = 1);

// x [N, C, ...], each parameter [C]: y = (x - mean) / sqrt(var + epsilon) * scale + bias,
// folded per channel in float as PyTorch's CPU kernel does (alpha = scale / sqrt(var + eps),
// beta = bias - mean * alpha, y = x * alpha + beta).
Tensor batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& bias, const Tensor& mean,
                            const Tensor& var, float epsilon);

// Mean over `axes` (negative allowed, no repeats; empty = all axes), summed in double.
// keepdims leaves reduced dims as 1; otherwise they are removed (all removed: a rank-0 tensor).
// `threads`: trailing reduced axes (one contiguous block per output) split over the pool.
Tensor reduce_mean(const Tensor& x, std::vector<int> axes, bool keepdims, int threads = 1);

}  // namespace accsim
