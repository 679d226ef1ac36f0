#pragma once
// The two halves of the operator table (operators.h): array and host operators.
#include <vector>

#include "kernels/pooling.h"
#include "workloads/models/operators.h"

namespace accsim {

const std::vector<OperatorDef>& array_operators();  // Conv, Gemm, MatMul
const std::vector<OperatorDef>& host_operators();   // everything else

// A Conv node's attributes, and an array node's pinned swizzle seed (shared with the
// backward passes, workloads/training/array_gradients.cpp).
ConvAttributes conv_attributes(const Node& node);
ArrayRunner::SwizzleSeed swizzle_seed(const Node& node);
// A pooling node's window, and a ReduceMean's axes (attribute or constant input).
PoolWindow pool_window(const Node& node);
std::vector<int> reduce_axes(const OperatorContext& c);

// Shared attribute checks.
void require_int_input(const Node& node, const Graph& graph, std::size_t index, const char* what);
int normalise_axis(long long axis, std::size_t rank, const Node& node);

}  // namespace accsim
