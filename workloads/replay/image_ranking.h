#pragma once
// The classes of a row of logits ranked for a replay's record: by logit, the highest
// first, a NaN after every number, ties by class index (so a total order even with NaN/Inf).
#include <vector>

namespace accsim {

// The first min(k, classes) classes of the ranking.
std::vector<int> top_classes(const float* logits, int classes, int k);

}  // namespace accsim
