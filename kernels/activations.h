#pragma once
// Host-side layer operations between array jobs (NVDLA's SDP/PDP do these).
#include "arch/tensor.h"

namespace accsim {

Tensor relu(const Tensor& x);
// Non-overlapping max pooling of [n, c, h, w] with a size x size window (stride = size).
Tensor max_pool2d(const Tensor& x, int size);
// y[n, k, ...] += bias[k]
void add_bias(Tensor& y, const Tensor& bias);

}  // namespace accsim
