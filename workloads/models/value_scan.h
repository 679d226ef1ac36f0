#pragma once
// The scans an experiment makes of each recomputed value against the recorded one
// (GraphFaultEvaluator: the trace's counts and where values turned NaN/Inf), in one pass
// and branch-free so that they vectorise: every experiment scans every changed value.
#include <cstddef>

#include "arch/tensor.h"

namespace accsim {

struct ValueScan {
  long long differences = 0;  // words whose bits differ
  bool nonfinite = false;     // `faulty` holds a NaN or an infinity
};

// `faulty` against `golden` (at least as many words).
ValueScan scan_values(const Tensor& faulty, const Tensor& golden);

// Whether any of the n words is NaN or an infinity.
bool any_nonfinite(const float* v, std::size_t n);

}  // namespace accsim
