#include "workloads/replay/image_ranking.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace accsim {

std::vector<int> top_classes(const float* logits, int classes, int k) {
  std::vector<int> order(static_cast<std::size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  const auto before = [logits](int a, int b) {
    const bool na = std::isnan(logits[a]), nb = std::isnan(logits[b]);
    if (na != nb) return nb;
    if (!na && logits[a] != logits[b]) return logits[a] > logits[b];
    return a < b;
  };
  std::sort(order.begin(), order.end(), before);
  order.resize(static_cast<std::size_t>(std::min(k, classes)));
  return order;
}

}  // namespace accsim
