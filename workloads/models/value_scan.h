#pragma once
// The scans an experiment makes of each recomputed value against the recorded one
// (GraphFaultEvaluator: the trace's counts and where values turned NaN/Inf), in one pass
// and branch-free so that they vectorise: every experiment scans every changed value.
#include <cstddef>

#include "arch/tensor.h"
#include "workloads/models/graph.h"

namespace accsim {

struct ValueScan {
  long long differences = 0;  // words whose bits differ
  bool nonfinite = false;     // `faulty` holds a NaN or an infinity
};

// `faulty` against `golden` (at least as many words).
ValueScan scan_values(const Tensor& faulty, const Tensor& golden);
// The same over n words.
ValueScan scan_values(const float* faulty, const float* golden, std::size_t n);

// Whether any of the n words is NaN or an infinity.
bool any_nonfinite(const float* v, std::size_t n);

// Whether the node's output holds a NaN or Inf only where an input does (a selection or a
// move of finite values stays finite): with finite inputs its output needs no scan for
// them (a campaign's scans of Relu, MaxPool and Flatten outputs were 2.9% of it). A padded
// MaxPool may take a window of padding alone (-inf): not one of them.
bool keeps_finite(const Node& node);

}  // namespace accsim
