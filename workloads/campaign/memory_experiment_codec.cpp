#include "workloads/campaign/memory_experiment_codec.h"

namespace accsim {

ResultCodec memory_experiment_codec(std::vector<MemoryExperiment>& experiments) {
  using E = MemoryExperiment;
  return member_codec(experiments, &E::outcome, &E::reads_corrected, &E::reads_detected, &E::reads_silent,
                      &E::corrupted_elements, &E::correct_to_wrong, &E::nonfinite_images);
}

}  // namespace accsim
