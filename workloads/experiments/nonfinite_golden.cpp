#include "workloads/experiments/nonfinite_golden.h"

#include "arch/input_error.h"

namespace accsim {

void refuse_nonfinite_golden(const std::string& origin, const std::vector<long long>& nonfinite_images,
                             long long images) {
  if (nonfinite_images.empty()) return;
  throw InputError(origin + ": the fault-free model already gives NaN or Inf logits on " +
                   std::to_string(nonfinite_images.size()) + " of " + std::to_string(images) + " test images (test image " +
                   std::to_string(nonfinite_images.front()) +
                   " first), so a fault's effect cannot be told from the model's own; check its parameters");
}

}  // namespace accsim
