#pragma once
// The three parts of the gradient table (operator_gradients.h).
#include <initializer_list>
#include <vector>

#include "workloads/training/operator_gradients.h"

namespace accsim {

const std::vector<GradientDef>& array_gradients();   // Conv, Gemm, MatMul
const std::vector<GradientDef>& host_gradients();    // arithmetic, activations, normalisations, pooling
const std::vector<GradientDef>& layout_gradients();  // reshapes, transposes, joins, cuts, Gather

// One input gradient (a convenience for the tables).
inline InputGradients gradients(std::initializer_list<std::optional<Tensor>> g) { return InputGradients(g); }

}  // namespace accsim
