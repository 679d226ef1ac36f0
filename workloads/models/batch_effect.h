#pragma once
// What a fault does to one batch of a classifier's images, as every campaign counts it,
// and the prediction rule (the first maximum of a row of logits).
#include <vector>

namespace accsim {

struct BatchEffect {
  long long correct_to_wrong = 0;  // images classified correctly fault-free and wrongly with the fault
  long long nonfinite_images = 0;  // images with a NaN or Inf among their logits
  std::vector<long long> trace;    // per array node: output elements whose bits differ, summed over images
  std::vector<int> predictions;    // [n] argmax of the faulty logits
};

int argmax_row(const float* logits, int classes);  // the first maximum

}  // namespace accsim
