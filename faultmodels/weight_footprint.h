#pragma once
// Which weights of a job a set of permanent PE faults touches: the weights whose
// products are computed on a faulty PE (weight register, input register or
// multiplier). Under swizzling a PE serves different channels in each group/block,
// so the footprint is read from the job's Mapping, never from `ic % atomic_c`.
#include <cstdint>
#include <vector>

#include "arch/hardware_fault.h"
#include "arch/mapping.h"

namespace accsim {

// A [k, c, r, s] mask (row-major) with 1 where a weight meets a faulty PE.
std::vector<std::uint8_t> weight_footprint(const ConvShape& shape, const Mapping& mapping,
                                           const std::vector<HardwareFault>& faults);

}  // namespace accsim
