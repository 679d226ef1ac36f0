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
  // [n] graph campaigns only: the faulty logit of the fault-free prediction minus the
  // largest other faulty logit (< 0: the prediction changed); NaN where a logit is NaN/Inf.
  std::vector<float> margins;
  // Graph campaigns only: the index in the graph's nodes of the first node (graph order)
  // whose faulty output holds a NaN/Inf and differs from its fault-free one; -1: none.
  int nonfinite_node = -1;
};

// The margin of a row of logits for class `top` (as BatchEffect::margins).
float logit_margin(const float* logits, int classes, int top);

int argmax_row(const float* logits, int classes);  // the first maximum

}  // namespace accsim
