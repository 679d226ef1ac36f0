#include "workloads/campaign/campaign_result_codec.h"

namespace accsim {

ResultCodec campaign_result_codec(std::vector<ExperimentResult>& experiments) {
  using E = ExperimentResult;
  return member_codec(experiments, &E::fault, &E::node, &E::outcome, &E::correct_to_wrong, &E::nonfinite_images,
                      &E::trace, &E::image, &E::golden_top1, &E::faulty_top1, &E::margin, &E::nonfinite_node,
                      &E::variants);
}

}  // namespace accsim
