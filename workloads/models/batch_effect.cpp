#include "workloads/models/batch_effect.h"

namespace accsim {

int argmax_row(const float* logits, int classes) {
  int best = 0;
  for (int i = 1; i < classes; ++i)
    if (logits[i] > logits[best]) best = i;
  return best;
}

}  // namespace accsim
