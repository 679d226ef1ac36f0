#pragma once
// Fault-aware pruning, a mitigation for permanent PE faults: the weights whose products
// the mapper says a faulty PE computes (weight register, input register or multiplier
// stuck-at, in the forward pass, under the array's swizzle) are set to zero, so a
// stuck bit has nothing left to corrupt but zeros; training holds them at zero. Used by
// `accsim train` on its network; campaigns prune their graph with graph_pruning.h.
#include <cstdint>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "workloads/models/network.h"

namespace accsim {

// Per layer, a [k, c, r, s] mask with 1 on the weights to prune.
std::vector<std::vector<std::uint8_t>> pruning_masks(const Network& net, const ArrayConfig& array,
                                                     const std::vector<HardwareFault>& faults);

// Zeroes the masked weights; returns how many weights the masks cover.
long long apply_pruning(NetworkParameters& params, const std::vector<std::vector<std::uint8_t>>& masks);

}  // namespace accsim
