#pragma once
// The independent reference: a naive direct convolution accumulating in double,
// written from the textbook definition and sharing no code with the engines.
#include "arch/conv_job.h"
#include "arch/tensor.h"

namespace accsim {

// input [n, c, h, w], weights [k, c, r, s] -> [n, k, p, q]
Tensor reference_conv2d(const ConvShape& shape, const Tensor& input, const Tensor& weights);

}  // namespace accsim
