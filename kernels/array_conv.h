#pragma once
// The fast, array-faithful convolution: the same products, the same adder trees and
// the same accumulation order as the PE array, computed for many output positions at
// once instead of cycle by cycle, so its results are bit-identical to the cycle model.
// Stuck-at faults act through the PEs' masks; transients through the error pattern.
#include "arch/error_pattern.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "arch/tensor.h"

namespace accsim {

// `threads` > 1 splits the output positions over that many threads; the result is the
// same bit for bit whatever the count.
Tensor array_conv(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights, int threads = 1);

}  // namespace accsim
