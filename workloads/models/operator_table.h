#pragma once
// The two halves of the operator table (operators.h): array and host operators.
#include <vector>

#include "workloads/models/operators.h"

namespace accsim {

const std::vector<OperatorDef>& array_operators();  // Conv, Gemm, MatMul
const std::vector<OperatorDef>& host_operators();   // everything else

// Shared attribute checks.
void require_int_input(const Node& node, const Graph& graph, std::size_t index, const char* what);
int normalise_axis(long long axis, std::size_t rank, const Node& node);

}  // namespace accsim
