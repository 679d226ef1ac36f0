#include "workloads/train_campaign/train_outcome.h"

#include <stdexcept>

namespace accsim {

const std::vector<std::string>& train_outcome_names() {
  static const std::vector<std::string> names = {"masked", "sdc", "latent", "crash"};
  return names;
}

TrainOutcome classify(const TrainRunRecord& run, const TrainRunRecord& reference, int images, double margin) {
  if (run.crash_step >= 0) return TrainOutcome::crash;
  if (reference.crash_step >= 0 || reference.correct_faulty.empty() || images < 1)
    throw std::invalid_argument("classify: the fault-free reference did not finish");
  const double ref = static_cast<double>(reference.correct_fault_free.back()) / images;
  const bool faulty_bad = static_cast<double>(run.correct_faulty.back()) / images < ref - margin;
  const bool healthy_bad = static_cast<double>(run.correct_fault_free.back()) / images < ref - margin;
  if (faulty_bad) return TrainOutcome::sdc;
  return healthy_bad ? TrainOutcome::latent : TrainOutcome::masked;
}

}  // namespace accsim
