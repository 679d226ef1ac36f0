#include "kernels/loss.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace accsim {

CrossEntropyResult softmax_cross_entropy(const Tensor& logits, const std::vector<int>& labels) {
  const bool shape_ok = (logits.rank() == 2 || (logits.rank() == 4 && logits.dim(2) == 1 && logits.dim(3) == 1));
  if (!shape_ok || logits.dim(0) < 1 || logits.dim(1) < 1)
    throw std::invalid_argument("softmax_cross_entropy: expects logits [n, classes] or [n, classes, 1, 1] with n, "
                                "classes >= 1, got " + logits.shape_string());
  const int N = logits.dim(0), K = logits.dim(1);
  if (static_cast<int>(labels.size()) != N)
    throw std::invalid_argument("softmax_cross_entropy: " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(N) + " samples");
  for (int n = 0; n < N; ++n)
    if (labels[n] < 0 || labels[n] >= K)
      throw std::invalid_argument("softmax_cross_entropy: label " + std::to_string(labels[n]) + " of sample " +
                                  std::to_string(n) + " outside [0, " + std::to_string(K) + ")");

  CrossEntropyResult r;
  r.grad = Tensor(logits.shape());
  r.predicted.resize(N);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double total = 0.0;
  std::vector<double> e(K);
  for (int n = 0; n < N; ++n) {
    const float* x = logits.data() + static_cast<std::size_t>(n) * K;
    float* g = r.grad.data() + static_cast<std::size_t>(n) * K;
    int arg = 0;
    bool finite = true;
    for (int k = 0; k < K; ++k) {
      finite = finite && std::isfinite(x[k]);
      if (x[arg] == x[arg] && (x[k] > x[arg] || x[k] != x[k])) arg = k;  // first max; first NaN wins
    }
    r.predicted[n] = arg;
    r.correct += arg == labels[n];
    if (!finite) {
      r.non_finite = true;
      total += nan;
      for (int k = 0; k < K; ++k) g[k] = std::numeric_limits<float>::quiet_NaN();
      continue;
    }
    const double m = x[arg];
    double sum = 0.0;
    for (int k = 0; k < K; ++k) sum += (e[k] = std::exp(static_cast<double>(x[k]) - m));
    // -log softmax[label] = log(sum) - (x[label] - m); sum is in [1, K].
    total += std::log(sum) - (static_cast<double>(x[labels[n]]) - m);
    for (int k = 0; k < K; ++k) g[k] = static_cast<float>((e[k] / sum - (k == labels[n] ? 1.0 : 0.0)) / N);
  }
  r.loss = total / N;
  return r;
}

}  // namespace accsim
