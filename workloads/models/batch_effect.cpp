#include "workloads/models/batch_effect.h"

#include <cmath>
#include <limits>

namespace accsim {

int argmax_row(const float* logits, int classes) {
  int best = 0;
  for (int i = 1; i < classes; ++i)
    if (logits[i] > logits[best]) best = i;
  return best;
}

float logit_margin(const float* logits, int classes, int top) {
  float other = -std::numeric_limits<float>::infinity();
  for (int i = 0; i < classes; ++i) {
    if (!std::isfinite(logits[i])) return std::numeric_limits<float>::quiet_NaN();
    if (i != top && logits[i] > other) other = logits[i];
  }
  return logits[top] - other;
}

}  // namespace accsim
