#pragma once
// Cutting a graph operator's operands into the per-job pieces the array runs (groups,
// dilation phases, batch matrices) and putting job results back: shared by the forward
// jobs (array_runner.cpp) and their backward passes (array_backward.cpp).
#include <vector>

#include "arch/tensor.h"

namespace accsim {

// Channels [first, first + count) of x [n, c, h, w].
Tensor channel_slice(const Tensor& x, int first, int count);
// Kernels [first, first + count) of w [k, c, r, s].
Tensor kernel_slice(const Tensor& w, int first, int count);
// Writes part [n, count, p, q] into channels [first, first + count) of y [n, k, p, q].
void put_channels(Tensor& y, const Tensor& part, int first);
// Every d-th row and column of x starting at (a, b): one polyphase component.
Tensor phase(const Tensor& x, int d, int a, int b);
// Adds `part` (a phase(x, d, a, b)) back onto those rows and columns of x.
void add_phase(Tensor& x, const Tensor& part, int d, int a, int b);
// Element offset of matrix `index` of a stack [..., rows, cols] whose batch dims broadcast to `batch`.
long long matrix_offset(const Tensor& t, const std::vector<int>& batch, long long index);
// Matrix `index` of such a stack, as [rows, cols].
Tensor matrix_at(const Tensor& t, const std::vector<int>& batch, long long index);
std::vector<int> batch_dims(const Tensor& t);  // all dims but the last two
// The broadcast batch dims of a MatMul of a [..., M, K] by b [..., K, N] (numpy rules);
// std::invalid_argument when K differs or the batch dims do not broadcast.
std::vector<int> matmul_batch(const Tensor& a, const Tensor& b);
// x [n, c, h, w] without `pads` rows/cols [top, left, bottom, right] (undoes pad_spatial).
Tensor crop_spatial(const Tensor& x, const std::vector<int>& pads);

}  // namespace accsim
