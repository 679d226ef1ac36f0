#include "workloads/mitigations/fault_aware_pruning.h"

#include "arch/mapping.h"
#include "faultmodels/weight_footprint.h"

namespace accsim {

std::vector<std::vector<std::uint8_t>> pruning_masks(const Network& net, const ArrayConfig& array,
                                                     const std::vector<HardwareFault>& faults) {
  std::vector<std::vector<std::uint8_t>> masks;
  for (const ConvJob& job : layer_jobs(net, 1)) {
    // The footprint depends on the channels and kernel only, not on the batch or pixels.
    const Mapping mapping(job.shape, array, array.swizzle, job.swizzle_seed);
    masks.push_back(weight_footprint(job.shape, mapping, faults));
  }
  return masks;
}

long long apply_pruning(NetworkParameters& params, const std::vector<std::vector<std::uint8_t>>& masks) {
  long long pruned = 0;
  for (std::size_t l = 0; l < masks.size(); ++l)
    for (std::size_t i = 0; i < masks[l].size(); ++i)
      if (masks[l][i]) {
        params.weights[l][i] = 0.0f;
        ++pruned;
      }
  return pruned;
}

}  // namespace accsim
