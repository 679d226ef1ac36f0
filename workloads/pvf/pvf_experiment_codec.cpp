#include "workloads/pvf/pvf_experiment_codec.h"

namespace accsim {

ResultCodec pvf_experiment_codec(std::vector<PvfExperiment>& experiments) {
  using E = PvfExperiment;  // stratum and sample: an adaptive run's plan, which every rank tallies
  return member_codec(experiments, &E::model, &E::target, &E::image, &E::bit_flips, &E::bit, &E::tensor, &E::element,
                      &E::old_value, &E::new_value, &E::outcomes, &E::stratum, &E::sample);
}

}  // namespace accsim
