#include "kernels/activations.h"

#include <algorithm>
#include <stdexcept>

namespace accsim {

Tensor relu(const Tensor& x) {
  Tensor y = x;
  // NaN stays NaN (a comparison with NaN is false): a crash must stay visible.
  for (auto& v : y.values()) v = v < 0.0f ? 0.0f : v;
  return y;
}

Tensor max_pool2d(const Tensor& x, int size) {
  if (x.rank() != 4 || size < 1) throw std::invalid_argument("max_pool2d: expects [n,c,h,w] and size >= 1");
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), P = H / size, Q = W / size;
  Tensor y({N, C, P, Q});
  std::size_t o = 0;
  for (int nc = 0; nc < N * C; ++nc)
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q) {
        float m = x[(static_cast<std::size_t>(nc) * H + p * size) * W + q * size];
        for (int i = 0; i < size; ++i)
          for (int j = 0; j < size; ++j) {
            float v = x[(static_cast<std::size_t>(nc) * H + p * size + i) * W + q * size + j];
            if (v > m || v != v) m = v;  // NaN propagates
          }
        y[o++] = m;
      }
  return y;
}

void add_bias(Tensor& y, const Tensor& bias) {
  const int N = y.dim(0), K = y.dim(1);
  if (static_cast<int>(bias.size()) != K) throw std::invalid_argument("add_bias: bias length differs from channels");
  const std::size_t plane = y.size() / (static_cast<std::size_t>(N) * K);
  for (int n = 0; n < N; ++n)
    for (int k = 0; k < K; ++k)
      for (std::size_t i = 0; i < plane; ++i) y[(static_cast<std::size_t>(n) * K + k) * plane + i] += bias[k];
}

}  // namespace accsim
