#pragma once
// The one hardware fault of a campaign experiment, drawn from its own generator
// Rng(splitmix64(seed ^ index)): an experiment's fault depends only on the seed, the
// campaign config and its index, never on the order or the thread it runs in.
#include <cstdint>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "workloads/campaign/campaign_config.h"

namespace accsim {

// Draws, in this order: site (uniform over config.sites), kind (over config.kinds), the
// location (weight/input/product: PE row in [0, atomic_c), column in [0, atomic_k);
// psum: column; accumulator: entry slot in [0, stripe_length), column), the bit (uniform
// in [bit_lo, bit_hi]) and, for a transient, the run cycle (uniform in [0, run_cycles):
// `run_cycles` is the length of one full batch's inference run).
HardwareFault draw_campaign_fault(const CampaignConfig& config, const ArrayConfig& array, std::uint64_t seed,
                                  long long index, long long run_cycles);

}  // namespace accsim
