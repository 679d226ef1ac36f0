#include "kernels/activations.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/split_rows.h"

namespace accsim {

Tensor relu(const Tensor& x) {
  Tensor y = x;
  // NaN stays NaN (a comparison with NaN is false): a crash must stay visible.
  for (auto& v : y.values()) v = v < 0.0f ? 0.0f : v;
  return y;
}

Tensor relu_backward(const Tensor& x, const Tensor& grad_y) {
  if (x.shape() != grad_y.shape())
    throw std::invalid_argument("relu_backward: x " + x.shape_string() + " and grad_y " + grad_y.shape_string() +
                                " differ in shape");
  // One pass, no copy of grad_y first (a select the compiler vectorises); NaN x passes g.
  Tensor g(grad_y.shape(), Tensor::uninitialized);
  const float* px = x.data();
  const float* pg = grad_y.data();
  float* out = g.data();
  for (std::size_t i = 0; i < g.size(); ++i) out[i] = px[i] <= 0.0f ? 0.0f : pg[i];
  return g;
}

namespace {

// The clipped ReLU of [first, last) from px into py (the same array in place): the
// threshold and the value above it are copies in the function's own locals, not read
// through the caller's references, so the compiler keeps them in registers and vectorises
// the selects (through a captured reference each store to y might have changed them: a
// scalar loop, 6.5% of a native PVF profile).
void clip_range(const float* px, float* py, std::size_t first, std::size_t last, float T, float above) {
  for (std::size_t i = first; i < last; ++i) {
    const float v = px[i];
    py[i] = v <= 0.0f ? 0.0f : (v <= T ? v : above);  // NaN fails both tests
  }
}

void relu_range(const float* px, float* py, std::size_t first, std::size_t last) {
  for (std::size_t i = first; i < last; ++i) py[i] = px[i] < 0.0f ? 0.0f : px[i];  // as relu()
}

// y = clipped_relu(x) over n values; x may be y.
void clipped_relu_values(const float* px, float* py, std::size_t n, const ActivationClip& clip, int threads) {
  const float T = clip.threshold, above = clip.mode == ClipMode::saturate ? T : 0.0f;
  const bool plain = clip.mode == ClipMode::none;
  split_rows(threads, n, 1, [px, py, T, above, plain](std::size_t first, std::size_t last) {
    if (plain) return relu_range(px, py, first, last);
    clip_range(px, py, first, last, T, above);
  });
}

}  // namespace

// One sweep from x into a new tensor (a copy and a sweep over it cost two: 2% of a campaign).
Tensor clipped_relu(const Tensor& x, const ActivationClip& clip, int threads) {
  Tensor y(x.shape(), Tensor::uninitialized);
  clipped_relu_values(x.data(), y.data(), x.size(), clip, threads);
  return y;
}

void clipped_relu_in_place(Tensor& y, const ActivationClip& clip, int threads) {
  clipped_relu_values(y.data(), y.data(), y.size(), clip, threads);
}

Tensor clipped_relu_backward(const Tensor& x, const Tensor& grad_y, const ActivationClip& clip) {
  if (clip.mode == ClipMode::none) return relu_backward(x, grad_y);
  Tensor g = relu_backward(x, grad_y);
  const float T = clip.threshold;
  for (std::size_t i = 0; i < g.size(); ++i) {
    const bool passes = clip.mode == ClipMode::saturate ? x[i] < T : x[i] <= T;
    if (!passes) g[i] = 0.0f;  // NaN x: no gradient
  }
  return g;
}

MaxPoolResult max_pool2d_with_indices(const Tensor& x, int size) {
  if (x.rank() != 4 || size < 1) throw std::invalid_argument("max_pool2d: expects [n,c,h,w] and size >= 1");
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), P = H / size, Q = W / size;
  MaxPoolResult r{Tensor({N, C, P, Q}), std::vector<std::size_t>(static_cast<std::size_t>(N) * C * P * Q)};
  std::size_t o = 0;
  for (int nc = 0; nc < N * C; ++nc)
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q) {
        std::size_t best = (static_cast<std::size_t>(nc) * H + p * size) * W + q * size;
        float m = x[best];
        for (int i = 0; i < size && m == m; ++i)
          for (int j = 0; j < size; ++j) {
            const std::size_t at = (static_cast<std::size_t>(nc) * H + p * size + i) * W + q * size + j;
            const float v = x[at];
            if (v > m || v != v) {  // strict: the first maximum wins; the first NaN wins and ends the window
              m = v;
              best = at;
              if (v != v) break;
            }
          }
        r.y[o] = m;
        r.argmax[o++] = best;
      }
  return r;
}

Tensor max_pool2d(const Tensor& x, int size) { return max_pool2d_with_indices(x, size).y; }

Tensor max_pool2d_backward(const Tensor& grad_y, const std::vector<std::size_t>& argmax,
                           const std::vector<int>& input_shape) {
  if (argmax.size() != grad_y.size())
    throw std::invalid_argument("max_pool2d_backward: " + std::to_string(argmax.size()) + " indices for " +
                                std::to_string(grad_y.size()) + " gradients");
  Tensor g(input_shape);
  for (std::size_t o = 0; o < argmax.size(); ++o) {
    if (argmax[o] >= g.size())
      throw std::invalid_argument("max_pool2d_backward: index " + std::to_string(argmax[o]) +
                                  " outside the input " + g.shape_string());
    g[argmax[o]] += grad_y[o];
  }
  return g;
}

namespace {

// out[i] = y[i] + b, then the (clipped) ReLU if `apply_relu`: per element the operations of
// add_bias then clipped_relu (NaN and signed zeros included); out may be y.
void bias_activate(const float* y, float b, std::size_t n, bool apply_relu, const ActivationClip& clip, float* out) {
  if (apply_relu && clip.mode != ClipMode::none) {
    const float T = clip.threshold, above = clip.mode == ClipMode::saturate ? T : 0.0f;
    for (std::size_t i = 0; i < n; ++i) {  // as clipped_relu(): NaN fails both tests
      const float v = y[i] + b;
      out[i] = v <= 0.0f ? 0.0f : (v <= T ? v : above);
    }
  } else if (apply_relu) {
    // NaN stays NaN and -0 stays -0, as in relu().
    for (std::size_t i = 0; i < n; ++i) {
      const float v = y[i] + b;
      out[i] = v < 0.0f ? 0.0f : v;
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) out[i] = y[i] + b;
  }
}

// add_bias, and the (clipped) ReLU in the same sweep if `apply_relu`.
void add_bias_activate(Tensor& y, const Tensor& bias, bool apply_relu, const ActivationClip& clip, int threads) {
  const int N = y.dim(0), K = y.dim(1);
  if (static_cast<int>(bias.size()) != K) throw std::invalid_argument("add_bias: bias length differs from channels");
  if (y.size() == 0) return;
  const std::size_t plane = y.size() / (static_cast<std::size_t>(N) * K);
  float* py = y.data();
  split_rows(threads, static_cast<std::size_t>(N) * K, plane, [&](std::size_t first, std::size_t last) {
    for (std::size_t nk = first; nk < last; ++nk)
      bias_activate(py + nk * plane, bias[nk % static_cast<std::size_t>(K)], plane, apply_relu, clip, py + nk * plane);
  });
}

}  // namespace

void add_bias(Tensor& y, const Tensor& bias, int threads) { add_bias_activate(y, bias, false, {}, threads); }

void add_bias_relu(Tensor& y, const Tensor& bias, const ActivationClip& clip, int threads) {
  add_bias_activate(y, bias, true, clip, threads);
}

void bias_relu_pool(const float* y, int k, int h, int w, const float* bias, bool apply_relu, const ActivationClip& clip,
                    int pool, float* out) {
  if (pool < 1) throw std::invalid_argument("bias_relu_pool: pool must be >= 1");
  const std::size_t plane = static_cast<std::size_t>(h) * w;
  thread_local std::vector<float> activated;
  float* a = out;
  if (pool > 1) {
    activated.resize(plane * static_cast<std::size_t>(k));
    a = activated.data();
  }
  for (int c = 0; c < k; ++c) bias_activate(y + c * plane, bias[c], plane, apply_relu, clip, a + c * plane);
  if (pool == 1) return;
  const int P = h / pool, Q = w / pool;
  for (int c = 0; c < k; ++c) {
    const float* ac = a + c * plane;
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q) {
        const float* window = ac + static_cast<std::size_t>(p) * pool * w + static_cast<std::size_t>(q) * pool;
        float m = window[0];
        for (int i = 0; i < pool && m == m; ++i)  // as max_pool2d_with_indices: first max, first NaN
          for (int j = 0; j < pool; ++j) {
            const float v = window[static_cast<std::size_t>(i) * w + j];
            if (v > m || v != v) {
              m = v;
              if (v != v) break;
            }
          }
        *out++ = m;
      }
  }
}

namespace {

// The sums of B consecutive channels from channel k, each in double in its own order
// (images, then positions): B independent chains of additions where one chain waited
// on each addition's latency; every sum is the same, bit for bit.
template <int B>
void channel_sums(const Tensor& grad_y, int k, std::size_t plane, float* out) {
  const int N = grad_y.dim(0), K = grad_y.dim(1);
  double sum[B] = {};
  for (int n = 0; n < N; ++n) {
    const float* p = grad_y.data() + (static_cast<std::size_t>(n) * K + k) * plane;
    for (std::size_t i = 0; i < plane; ++i)
      for (int b = 0; b < B; ++b) sum[b] += p[b * plane + i];
  }
  for (int b = 0; b < B; ++b) out[b] = static_cast<float>(sum[b]);
}

using ChannelSums = void (*)(const Tensor&, int, std::size_t, float*);
constexpr ChannelSums channel_sums_of[] = {channel_sums<1>, channel_sums<2>, channel_sums<3>, channel_sums<4>,
                                           channel_sums<5>, channel_sums<6>, channel_sums<7>, channel_sums<8>};

}  // namespace

Tensor bias_gradient(const Tensor& grad_y) {
  if (grad_y.rank() < 2) throw std::invalid_argument("bias_gradient: expects [n, k, ...], got " + grad_y.shape_string());
  const int N = grad_y.dim(0), K = grad_y.dim(1);
  Tensor g({K});
  if (N == 0 || K == 0) return g;
  const std::size_t plane = grad_y.size() / (static_cast<std::size_t>(N) * K);
  for (int k = 0; k < K; k += 8) {
    const int block = std::min(8, K - k);
    channel_sums_of[block - 1](grad_y, k, plane, g.data() + k);
  }
  return g;
}

}  // namespace accsim
