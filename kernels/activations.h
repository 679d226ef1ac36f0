#pragma once
// Host-side layer operations between array jobs (NVDLA's SDP/PDP do these), and their
// backward passes for training.
#include <cstddef>
#include <vector>

#include "arch/tensor.h"

namespace accsim {

Tensor relu(const Tensor& x);
// dL/dx of relu: grad_y where x > 0, 0 where x <= 0. Where x is NaN the gradient passes
// through unchanged (as PyTorch's threshold_backward does: "NaN <= 0" is false).
Tensor relu_backward(const Tensor& x, const Tensor& grad_y);

// Activation clipping, a mitigation against large fault-induced values: `saturate`
// (ReLU6-style: min(max(x, 0), T); NaN and +Inf become T) or `zero` (FT-ClipAct: values
// above T, NaN and +Inf become 0). `none` is the plain ReLU (NaN stays NaN).
enum class ClipMode { none, saturate, zero };
struct ActivationClip {
  ClipMode mode = ClipMode::none;
  float threshold = 6.0f;
};
// `threads`: split over the worker pool (split_rows.h; the same bits on any count).
Tensor clipped_relu(const Tensor& x, const ActivationClip& clip, int threads = 1);
void clipped_relu_in_place(Tensor& x, const ActivationClip& clip, int threads = 1);  // the same written over x
// The gradient passes where the output followed x (0 < x < T for saturate, 0 < x <= T for zero).
Tensor clipped_relu_backward(const Tensor& x, const Tensor& grad_y, const ActivationClip& clip);

// Non-overlapping max pooling of [n, c, h, w] with a size x size window (stride = size);
// trailing rows/columns that do not fill a window are dropped.
Tensor max_pool2d(const Tensor& x, int size);

struct MaxPoolResult {
  Tensor y;                          // [n, c, h / size, w / size]
  std::vector<std::size_t> argmax;   // per element of y: flat (row-major) index into x
};
// max_pool2d that also records which input element each output took: the first maximum
// in row-major window order; if the window holds a NaN, the first NaN (output NaN with
// that element's bits, so NaN propagates as in PyTorch).
MaxPoolResult max_pool2d_with_indices(const Tensor& x, int size);
// dL/dx of max pooling: grad_y[o] added to x's element argmax[o], zero elsewhere.
Tensor max_pool2d_backward(const Tensor& grad_y, const std::vector<std::size_t>& argmax,
                           const std::vector<int>& input_shape);

// y[n, k, ...] += bias[k]; `threads`: the planes split over the worker pool.
void add_bias(Tensor& y, const Tensor& bias, int threads = 1);
// add_bias then clipped_relu_in_place(clip) in one sweep over y (a Conv fused with its
// Relu, graph_fusion.h): the same bits as the two calls, NaN and signed zeros included.
void add_bias_relu(Tensor& y, const Tensor& bias, const ActivationClip& clip, int threads = 1);

// add_bias, then clipped_relu(clip) (if `apply_relu`), then max_pool2d(pool) (if pool > 1)
// of one image y [k, h, w], written to out [k, h / pool, w / pool] in one pass without
// allocating: bit-identical to the three calls on a batch (NaN and signed zeros included).
void bias_relu_pool(const float* y, int k, int h, int w, const float* bias, bool apply_relu, const ActivationClip& clip,
                    int pool, float* out);
// dL/dbias of add_bias: grad_y [n, k, ...] summed over n and the trailing dims -> [k]
// (accumulated in double, rounded once).
Tensor bias_gradient(const Tensor& grad_y);

}  // namespace accsim
