#pragma once
// The three parts of the gradient table (operator_gradients.h).
#include <utility>
#include <vector>

#include "workloads/training/operator_gradients.h"

namespace accsim {

const std::vector<GradientDef>& array_gradients();   // Conv, Gemm, MatMul
const std::vector<GradientDef>& host_gradients();    // arithmetic, activations, normalisations, pooling
const std::vector<GradientDef>& layout_gradients();  // reshapes, transposes, joins, cuts, Gather

// The input gradients in input order (a convenience for the tables); moved in, not copied.
template <class... G>
InputGradients gradients(G&&... g) {
  InputGradients out;
  out.reserve(sizeof...(g));
  (out.emplace_back(std::forward<G>(g)), ...);
  return out;
}

}  // namespace accsim
