#pragma once
// Backward passes of the normalisations and mean reductions (kernels/normalization), and
// BatchNormalization in training mode (batch statistics). Sums in double, as the forwards.
#include <vector>

#include "arch/tensor.h"

namespace accsim {

// dL/dx of y = softmax(x, axis), from y: y * (g - sum(g * y)) along the axis.
Tensor softmax_backward(const Tensor& y, const Tensor& grad_y, int axis);

struct NormGradients {
  Tensor x, scale, bias;  // shaped like the operands
};

// layer_norm(x, scale, bias, axis, epsilon)'s gradients (bias's empty when there is none).
NormGradients layer_norm_backward(const Tensor& x, const Tensor& scale, const Tensor* bias,
                                  const Tensor& grad_y, int axis, float epsilon);

// Inference mode: mean and var are constants, so dx = g * scale / sqrt(var + eps).
NormGradients batch_norm_inference_backward(const Tensor& x, const Tensor& scale, const Tensor& mean,
                                            const Tensor& var, const Tensor& grad_y, float epsilon);

// Training mode over x [N, C, ...]: each channel normalised by its batch mean and biased
// batch variance (ONNX training_mode = 1; PyTorch's train()). `mean` and `var` are those
// statistics, per channel.
struct BatchNormTraining {
  Tensor y, mean, var;
};
BatchNormTraining batch_norm_training(const Tensor& x, const Tensor& scale, const Tensor& bias, float epsilon);
// The statistics depend on x, so dx has the two extra terms of the batch mean and variance.
NormGradients batch_norm_training_backward(const Tensor& x, const Tensor& scale, const Tensor& grad_y, float epsilon);

// dL/dx of y = reduce_mean(x, axes, keepdims) (x's shape given): g / count, broadcast back.
Tensor reduce_mean_backward(const std::vector<int>& x_shape, const Tensor& grad_y, std::vector<int> axes);

}  // namespace accsim
