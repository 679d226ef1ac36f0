#pragma once
// ONNX ReduceSum on the host: a sum over `axes`, in fp32, adding x's elements in row-major
// order into a +0 start (so a reduced axis sums in ascending index order, as a naive loop
// would). The order is the contract: an embedding bag pooled by Gather + ReduceSum gives the
// bits of the loop `out = 0; for each row: out += row` (workloads/dlrm/dlrm_graph.h).
#include <vector>

#include "arch/tensor.h"

namespace accsim {

// `axes`: negative allowed, no repeats; empty = every axis. keepdims leaves reduced dims
// as 1; otherwise they are removed (all removed: a rank-0 tensor). std::invalid_argument
// for an axis out of range or given twice.
Tensor reduce_sum(const Tensor& x, const std::vector<int>& axes, bool keepdims);

}  // namespace accsim
