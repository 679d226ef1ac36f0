#pragma once
// Naive references for ONNX MatMul and Gemm (products and sums in double, rounded once): what
// the array lowering of those operators is tested against.
#include "arch/tensor.h"

namespace accsim {

// numpy matmul: a [..., M, K] x b [..., K, N] -> [broadcast(...), M, N]. A rank-1 a is [1, K]
// and a rank-1 b is [K, 1], the added dim removed from the result; batch dims broadcast
// (numpy rules). std::invalid_argument on rank 0, a K mismatch or batch dims that do not broadcast.
Tensor matmul_reference(const Tensor& a, const Tensor& b);

// ONNX Gemm: alpha * A' B' + beta * C with A' = trans_a ? a^T : a ([M, K]), B' = trans_b ? b^T : b
// ([K, N]); C (optional) broadcasts one way to [M, N] ([], [N], [1, N], [M, 1], [M, N], ...).
Tensor gemm_reference(const Tensor& a, const Tensor& b, const Tensor* c, float alpha, float beta, bool trans_a,
                      bool trans_b);

}  // namespace accsim
