#include "workloads/campaign/campaign_fault.h"

#include <stdexcept>

#include "arch/random.h"

namespace accsim {

HardwareFault draw_campaign_fault(const CampaignConfig& config, const ArrayConfig& array, std::uint64_t seed,
                                  long long index, long long run_cycles) {
  if (config.sites.empty() || config.kinds.empty() || config.bit_lo > config.bit_hi || run_cycles < 1)
    throw std::invalid_argument("draw_campaign_fault: empty site/kind/bit choice or no run cycles");
  Rng rng(splitmix64(seed ^ static_cast<std::uint64_t>(index)));
  auto below = [&rng](long long n) { return static_cast<int>(rng.below(static_cast<std::uint64_t>(n))); };
  HardwareFault f;
  f.site = config.sites[below(static_cast<long long>(config.sites.size()))];
  f.kind = config.kinds[below(static_cast<long long>(config.kinds.size()))];
  switch (f.site) {
    case FaultSite::psum:
      f.row = 0;
      f.col = below(array.atomic_k);
      break;
    case FaultSite::accumulator:
      f.row = below(array.stripe_length);
      f.col = below(array.atomic_k);
      break;
    default:
      f.row = below(array.atomic_c);
      f.col = below(array.atomic_k);
  }
  f.bit = config.bit_lo + below(config.bit_hi - config.bit_lo + 1);
  if (f.kind == FaultKind::transient) f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(run_cycles)));
  return f;
}

}  // namespace accsim
