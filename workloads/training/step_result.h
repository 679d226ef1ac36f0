#pragma once
// What one training step reports: the batch's loss and the array cycles its jobs took.
#include "kernels/loss.h"

namespace accsim {

struct StepResult {
  CrossEntropyResult loss;
  long long cycles = 0;  // array cycles of the step's jobs
};

}  // namespace accsim
