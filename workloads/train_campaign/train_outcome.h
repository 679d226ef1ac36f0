#pragma once
// How a training-fault experiment ended, against the fault-free run of the same seed
// (the reference), by the final validation accuracies:
//   crash   a non-finite loss (the run stopped there)
//   sdc     the faulty array's accuracy fell more than `margin` below the reference's
//   latent  the faulty array's accuracy is within the margin, the fault-free array's fell
//           more than `margin` below: the model learned around the fault, and a healthy
//           array exposes it
//   masked  neither accuracy fell more than `margin` below the reference's
#include <string>
#include <vector>

#include "workloads/train_campaign/faulty_training.h"

namespace accsim {

enum class TrainOutcome { masked, sdc, latent, crash };
const std::vector<std::string>& train_outcome_names();  // {"masked", "sdc", "latent", "crash"}

// `images`: validation images (the accuracies are correct / images).
TrainOutcome classify(const TrainRunRecord& run, const TrainRunRecord& reference, int images, double margin);

}  // namespace accsim
