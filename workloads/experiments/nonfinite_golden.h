#pragma once
// A model whose fault-free run already gives NaN or Inf logits would turn every fault
// into a "crash" (campaign) or hide its effect (PVF): such a model is refused before
// any experiment runs, naming the config key that gave it.
#include <string>
#include <vector>

namespace accsim {

// InputError "`origin`: the fault-free model already gives NaN or Inf logits on K of N
// test images (test image I first) ..." when `nonfinite_images` (test image indices, as
// the dataset numbers them) is not empty. `origin` names the model: "x.json: campaign.model".
void refuse_nonfinite_golden(const std::string& origin, const std::vector<long long>& nonfinite_images,
                             long long images);

}  // namespace accsim
