#pragma once
// Softmax cross-entropy of a batch of logits against integer labels: the training loss,
// its gradient, and the batch's predictions.
#include <vector>

#include "arch/tensor.h"

namespace accsim {

struct CrossEntropyResult {
  double loss = 0.0;           // mean over the batch of -log softmax(logits)[label]
  std::vector<int> predicted;  // per sample: argmax of the logits (first maximum; a NaN counts as the maximum)
  int correct = 0;             // samples with predicted == label
  bool non_finite = false;     // some logit is NaN or +-Inf
  Tensor grad;                 // dloss/dlogits = (softmax - onehot) / n, shaped like the logits
};

// logits: [n, classes] or [n, classes, 1, 1]; labels: n values in [0, classes).
// Computed in double with the row maximum subtracted, so finite logits of any magnitude
// (e.g. 1e30) give a finite loss and gradient. A sample with a NaN or Inf logit is not an
// error: its loss is NaN (so the batch mean is NaN), its gradient row is all NaN, and
// non_finite is set; the other samples' gradients are unaffected.
// Throws std::invalid_argument for a bad shape, an empty batch or a label out of range.
CrossEntropyResult softmax_cross_entropy(const Tensor& logits, const std::vector<int>& labels);

}  // namespace accsim
