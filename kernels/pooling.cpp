#include "kernels/pooling.h"

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include "kernels/activations.h"
#include "kernels/tensor_shape.h"

namespace accsim {
namespace {

int ceil_div(int a, int b) { return (a + b - 1) / b; }  // a >= 0, b > 0

void check_entries(const std::vector<int>& v, std::size_t n, int min, const char* name) {
  if (v.size() != n)
    throw std::invalid_argument(std::string("pool: ") + name + " needs " + std::to_string(n) + " entries, got " +
                                std::to_string(v.size()));
  for (int e : v)
    if (e < min)
      throw std::invalid_argument(std::string("pool: ") + name + " entry " + std::to_string(e) + " below " +
                                  std::to_string(min));
}

void check_window(const std::vector<int>& x, const PoolWindow& w) {
  if (x.size() != 4) throw std::invalid_argument("pool: input " + shape_to_string(x) + " is not [N, C, H, W]");
  check_entries(w.kernel, 2, 1, "kernel");
  check_entries(w.strides, 2, 1, "strides");
  check_entries(w.pads, 4, 0, "pads");
  check_entries(w.dilations, 2, 1, "dilations");
}

int output_size(int in, int d, const PoolWindow& w) {
  const int begin = w.pads[d], span = in + begin + w.pads[d + 2] - ((w.kernel[d] - 1) * w.dilations[d] + 1);
  if (span < 0)
    throw std::invalid_argument("pool: kernel " + std::to_string(w.kernel[d]) + " (dilation " +
                                std::to_string(w.dilations[d]) + ") exceeds the padded input extent " +
                                std::to_string(in + begin + w.pads[d + 2]));
  const int s = w.strides[d];
  int out = (w.ceil_mode ? ceil_div(span, s) : span / s) + 1;
  if (w.ceil_mode && (out - 1) * s >= in + begin) --out;  // that window would start in the end padding
  return out;
}

// Per output position along one axis: its first input coordinate and the taps [lo, hi) that
// land inside the input, [0, padded) inside the padded input.
struct Taps {
  int start, lo, hi, padded;
};

std::vector<Taps> axis_taps(int in, int out, int d, const PoolWindow& w) {
  const int k = w.kernel[d], dil = w.dilations[d], s = w.strides[d], end_pad = w.pads[d + 2];
  std::vector<Taps> t(static_cast<std::size_t>(out));
  for (int o = 0; o < out; ++o) {
    const int start = o * s - w.pads[d];
    const int lo = start >= 0 ? 0 : ceil_div(-start, dil);
    const int hi = in > start ? std::min(k, ceil_div(in - start, dil)) : 0;
    const int padded = std::min(k, ceil_div(in + end_pad - start, dil));
    t[static_cast<std::size_t>(o)] = {start, lo, std::max(lo, hi), padded};
  }
  return t;
}

// Calls window(plane, row_taps, col_taps, out_index) for every output element.
template <class Window>
Tensor pool(const Tensor& x, const PoolWindow& w, Window window) {
  Tensor y(pool_output_shape(x.shape(), w), Tensor::uninitialized);
  const int H = x.dim(2), W = x.dim(3), P = y.dim(2), Q = y.dim(3);
  const auto rows = axis_taps(H, P, 0, w), cols = axis_taps(W, Q, 1, w);
  const std::size_t plane = static_cast<std::size_t>(H) * W, planes = static_cast<std::size_t>(x.dim(0)) * x.dim(1);
  std::size_t o = 0;
  for (std::size_t pl = 0; pl < planes; ++pl)
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q, ++o) y[o] = window(x.data() + pl * plane, rows[p], cols[q]);
  return y;
}

// The gradient of a pool: window(plane_x, plane_grad, row_taps, col_taps, grad) adds one
// output element's gradient into its plane of dL/dx.
template <class Window>
Tensor pool_backward(const Tensor& x, const Tensor& grad_y, const PoolWindow& w, Window window) {
  if (grad_y.shape() != pool_output_shape(x.shape(), w))
    throw std::invalid_argument("pool backward: gradient " + grad_y.shape_string() + " does not match the output");
  Tensor gx(x.shape());
  const int H = x.dim(2), W = x.dim(3), P = grad_y.dim(2), Q = grad_y.dim(3);
  const auto rows = axis_taps(H, P, 0, w), cols = axis_taps(W, Q, 1, w);
  const std::size_t plane = static_cast<std::size_t>(H) * W, planes = static_cast<std::size_t>(x.dim(0)) * x.dim(1);
  std::size_t o = 0;
  for (std::size_t pl = 0; pl < planes; ++pl)
    for (int p = 0; p < P; ++p)
      for (int q = 0; q < Q; ++q, ++o) window(x.data() + pl * plane, gx.data() + pl * plane, rows[p], cols[q], grad_y[o]);
  return gx;
}

// LeNet's and most CNNs' pool: 2x2 windows, stride 2, no padding or dilation, every
// window inside the input. Walked per output row with the taps in the generic order
// (row-major), so the results are the generic walk's bit for bit.
bool plain_2x2(const Tensor& x, const PoolWindow& w) {
  const auto all = [](const std::vector<int>& v, int e) {
    for (int i : v)
      if (i != e) return false;
    return true;
  };
  return all(w.kernel, 2) && all(w.strides, 2) && all(w.pads, 0) && all(w.dilations, 1) && !w.ceil_mode &&
         x.dim(2) >= 2 && x.dim(3) >= 2;
}

// The taps of one 2x2 window in row-major order: a[0], a[1], a[W], a[W + 1].
struct Window2x2 {
  const float* a;
  int W;
  float tap(int t) const { return a[(t >> 1) * W + (t & 1)]; }
  int offset(int t) const { return (t >> 1) * W + (t & 1); }
};

// The scan of one window: the first NaN ends it, else the first of its largest taps
// (strict >, so +0 then -0 gives +0).
float max_pool_window(const Window2x2& win) {
  float m = -std::numeric_limits<float>::infinity();
  for (int t = 0; t < 4; ++t) {
    const float v = win.tap(t);
    if (v != v) return v;
    if (v > m) m = v;
  }
  return m;
}

#if defined(__AVX2__)
// The taps of eight 2x2 windows of a row pair (`top`, `bottom`: their 16 taps of each
// row), one vector per tap position in row-major order; per 128-bit lane the windows come
// as 0, 1, 4, 5 | 2, 3, 6, 7.
struct Taps8 {
  __m256 a, b, c, d;
};
Taps8 taps_8(const float* top, const float* bottom) {
  const __m256 t0 = _mm256_loadu_ps(top), t1 = _mm256_loadu_ps(top + 8);
  const __m256 b0 = _mm256_loadu_ps(bottom), b1 = _mm256_loadu_ps(bottom + 8);
  return {_mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)),
          _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)), _mm256_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1))};
}

// The same for four windows on SSE registers (in order: no lanes to undo).
struct Taps4 {
  __m128 a, b, c, d;
};
Taps4 taps_4(const float* top, const float* bottom) {
  const __m128 t0 = _mm_loadu_ps(top), t1 = _mm_loadu_ps(top + 4);
  const __m128 b0 = _mm_loadu_ps(bottom), b1 = _mm_loadu_ps(bottom + 4);
  return {_mm_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)),
          _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)), _mm_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1))};
}

// Eight windows of one row pair (`top`, `bottom`: their 16 taps of each row): the scan's
// strict comparisons in tap order, then the first NaN tap over them, bit for bit.
void max_pool_8(const float* top, const float* bottom, float* to) {
  const auto [a, b, c, d] = taps_8(top, bottom);  // the permute at the end undoes the lanes' order
  __m256 m = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  for (const __m256 v : {a, b, c, d}) m = _mm256_blendv_ps(m, v, _mm256_cmp_ps(v, m, _CMP_GT_OQ));
  for (const __m256 v : {d, c, b, a}) m = _mm256_blendv_ps(m, v, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  _mm256_storeu_ps(to, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(m), _MM_SHUFFLE(3, 1, 2, 0))));
}

// Four windows: max_pool_8 on SSE registers (in order: no lanes to undo).
void max_pool_4(const float* top, const float* bottom, float* to) {
  const auto [a, b, c, d] = taps_4(top, bottom);
  __m128 m = _mm_set1_ps(-std::numeric_limits<float>::infinity());
  for (const __m128 v : {a, b, c, d}) m = _mm_blendv_ps(m, v, _mm_cmp_ps(v, m, _CMP_GT_OQ));
  for (const __m128 v : {d, c, b, a}) m = _mm_blendv_ps(m, v, _mm_cmp_ps(v, v, _CMP_UNORD_Q));
  _mm_storeu_ps(to, m);
}
#endif

Tensor max_pool_2x2(const Tensor& x) {
  Tensor y({x.dim(0), x.dim(1), x.dim(2) / 2, x.dim(3) / 2}, Tensor::uninitialized);
  const int H = x.dim(2), W = x.dim(3), P = H / 2, Q = W / 2;
  const std::size_t plane = static_cast<std::size_t>(H) * W, planes = static_cast<std::size_t>(x.dim(0)) * x.dim(1);
  for (std::size_t pl = 0; pl < planes; ++pl)
    for (int p = 0; p < P; ++p) {
      const float* top = x.data() + pl * plane + static_cast<std::size_t>(2 * p) * W;
      float* to = y.data() + (pl * P + p) * Q;
      int q = 0;
#if defined(__AVX2__)
      for (; q + 8 <= Q; q += 8) max_pool_8(top + 2 * q, top + W + 2 * q, to + q);
      for (; q + 4 <= Q; q += 4) max_pool_4(top + 2 * q, top + W + 2 * q, to + q);
#endif
      for (; q < Q; ++q) to[q] = max_pool_window(Window2x2{top + 2 * q, W});
    }
  return y;
}

// Adds g into the tap of `win` that is its first maximum, none when a tap is NaN (the
// window's output does not depend on x smoothly).
void max_pool_backward_window(const Window2x2& win, float g, float* to) {
  float m = win.tap(0);
  if (m != m) return;
  int best = 0;
  for (int t = 1; t < 4; ++t) {
    const float v = win.tap(t);
    if (v != v) return;
    if (v > m) m = v, best = t;
  }
  to[win.offset(best)] += g;
}

#if defined(__AVX2__)
// Eight windows of one row pair at once (`top`, `bottom`: their 16 taps of each row):
// writes all four taps of each, 0 + g at the first maximum and +0 elsewhere, +0 at all
// four when one is NaN: what the scalar walk leaves in a zeroed gradient, bit for bit.
// kRelu: then relu_mask's test on each tap (+0 where it is <= 0; NaN passes).
template <bool kRelu>
void max_pool_backward_8(const float* top, const float* bottom, const float* g, float* to_top, float* to_bottom) {
  const auto [a, b, c, d] = taps_8(top, bottom);  // the unpacks below undo the lanes' order
  const __m256 gw = _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_loadu_ps(g)), _MM_SHUFFLE(3, 1, 2, 0)));
  const __m256 nan = _mm256_or_ps(_mm256_cmp_ps(a, b, _CMP_UNORD_Q), _mm256_cmp_ps(c, d, _CMP_UNORD_Q));
  // The scalar walk's strict comparisons in tap order: a later tap wins only when greater.
  const __m256 gt1 = _mm256_cmp_ps(b, a, _CMP_GT_OQ);
  const __m256 m1 = _mm256_blendv_ps(a, b, gt1);
  const __m256 gt2 = _mm256_cmp_ps(c, m1, _CMP_GT_OQ);
  const __m256 gt3 = _mm256_cmp_ps(d, _mm256_blendv_ps(m1, c, gt2), _CMP_GT_OQ);
  const __m256 gv = _mm256_andnot_ps(nan, _mm256_add_ps(_mm256_setzero_ps(), gw));
  const __m256 not3 = _mm256_andnot_ps(gt3, gv), not23 = _mm256_andnot_ps(gt2, not3);
  __m256 at0 = _mm256_andnot_ps(gt1, not23), at1 = _mm256_and_ps(gt1, not23);
  __m256 at2 = _mm256_and_ps(gt2, not3), at3 = _mm256_and_ps(gt3, gv);
  if (kRelu) {
    const auto above = [](__m256 tap) { return _mm256_cmp_ps(tap, _mm256_setzero_ps(), _CMP_NLE_UQ); };
    at0 = _mm256_and_ps(at0, above(a)), at1 = _mm256_and_ps(at1, above(b));
    at2 = _mm256_and_ps(at2, above(c)), at3 = _mm256_and_ps(at3, above(d));
  }
  _mm256_storeu_ps(to_top, _mm256_unpacklo_ps(at0, at1));
  _mm256_storeu_ps(to_top + 8, _mm256_unpackhi_ps(at0, at1));
  _mm256_storeu_ps(to_bottom, _mm256_unpacklo_ps(at2, at3));
  _mm256_storeu_ps(to_bottom + 8, _mm256_unpackhi_ps(at2, at3));
}

// Four windows: max_pool_backward_8 on SSE registers (in order: no lanes to undo).
template <bool kRelu>
void max_pool_backward_4(const float* top, const float* bottom, const float* g, float* to_top, float* to_bottom) {
  const auto [a, b, c, d] = taps_4(top, bottom);
  const __m128 nan = _mm_or_ps(_mm_cmp_ps(a, b, _CMP_UNORD_Q), _mm_cmp_ps(c, d, _CMP_UNORD_Q));
  const __m128 gt1 = _mm_cmp_ps(b, a, _CMP_GT_OQ);
  const __m128 m1 = _mm_blendv_ps(a, b, gt1);
  const __m128 gt2 = _mm_cmp_ps(c, m1, _CMP_GT_OQ);
  const __m128 gt3 = _mm_cmp_ps(d, _mm_blendv_ps(m1, c, gt2), _CMP_GT_OQ);
  const __m128 gv = _mm_andnot_ps(nan, _mm_add_ps(_mm_setzero_ps(), _mm_loadu_ps(g)));
  const __m128 not3 = _mm_andnot_ps(gt3, gv), not23 = _mm_andnot_ps(gt2, not3);
  __m128 at0 = _mm_andnot_ps(gt1, not23), at1 = _mm_and_ps(gt1, not23);
  __m128 at2 = _mm_and_ps(gt2, not3), at3 = _mm_and_ps(gt3, gv);
  if (kRelu) {
    const auto above = [](__m128 tap) { return _mm_cmp_ps(tap, _mm_setzero_ps(), _CMP_NLE_UQ); };
    at0 = _mm_and_ps(at0, above(a)), at1 = _mm_and_ps(at1, above(b));
    at2 = _mm_and_ps(at2, above(c)), at3 = _mm_and_ps(at3, above(d));
  }
  _mm_storeu_ps(to_top, _mm_unpacklo_ps(at0, at1));
  _mm_storeu_ps(to_top + 4, _mm_unpackhi_ps(at0, at1));
  _mm_storeu_ps(to_bottom, _mm_unpacklo_ps(at2, at3));
  _mm_storeu_ps(to_bottom + 4, _mm_unpackhi_ps(at2, at3));
}
#endif

// relu_backward (activations.h) of a gradient in place: +0 where the ReLU's output x is
// <= 0, the gradient elsewhere (NaN x passes it).
void relu_mask(const float* x, std::size_t count, float* g) {
  for (std::size_t i = 0; i < count; ++i) g[i] = x[i] <= 0.0f ? 0.0f : g[i];
}

// Row pair by row pair: eight and four windows at a time where AVX2 is there, the rest
// one by one; kRelu: the vector paths mask their taps as relu_mask does, and the rest of
// each row pair goes through relu_mask.
template <bool kRelu>
Tensor max_pool_backward_2x2(const Tensor& x, const Tensor& grad_y) {
  // The vector paths write all four taps of their windows; what the scalar walk adds into
  // (tail windows, an odd last column or row) is zeroed first.
  Tensor gx(x.shape(), Tensor::uninitialized);
  const int H = x.dim(2), W = x.dim(3), P = H / 2, Q = W / 2;
  const std::size_t plane = static_cast<std::size_t>(H) * W, planes = static_cast<std::size_t>(x.dim(0)) * x.dim(1);
  for (std::size_t pl = 0; pl < planes; ++pl) {
    for (int p = 0; p < P; ++p) {
      const std::size_t row = pl * plane + static_cast<std::size_t>(2 * p) * W;
      const float* g = grad_y.data() + (pl * P + p) * Q;
      const float* top = x.data() + row;
      float* to = gx.data() + row;
      int q = 0;
#if defined(__AVX2__)
      for (; q + 8 <= Q; q += 8) max_pool_backward_8<kRelu>(top + 2 * q, top + W + 2 * q, g + q, to + 2 * q, to + W + 2 * q);
      for (; q + 4 <= Q; q += 4) max_pool_backward_4<kRelu>(top + 2 * q, top + W + 2 * q, g + q, to + 2 * q, to + W + 2 * q);
#endif
      const int done = 2 * q;  // columns the vector paths wrote
      std::fill(to + done, to + W, 0.0f);
      std::fill(to + W + done, to + 2 * W, 0.0f);
      for (; q < Q; ++q) max_pool_backward_window(Window2x2{top + 2 * q, W}, g[q], to + 2 * q);
      if (kRelu && done < W)
        for (const int r : {0, W}) relu_mask(top + r + done, static_cast<std::size_t>(W - done), to + r + done);
    }
    if (H % 2) std::fill_n(gx.data() + pl * plane + static_cast<std::size_t>(H - 1) * W, W, 0.0f);
  }
  return gx;
}

}  // namespace

std::vector<int> pool_output_shape(const std::vector<int>& x, const PoolWindow& w) {
  check_window(x, w);
  return {x[0], x[1], output_size(x[2], 0, w), output_size(x[3], 1, w)};
}

Tensor max_pool(const Tensor& x, const PoolWindow& w) {
  check_window(x.shape(), w);
  if (plain_2x2(x, w)) return max_pool_2x2(x);
  const int W = x.dim(3), dh = w.dilations.at(0), dw = w.dilations.at(1);
  return pool(x, w, [=](const float* px, const Taps& r, const Taps& c) {
    float m = -std::numeric_limits<float>::infinity();
    for (int i = r.lo; i < r.hi; ++i) {
      const float* row = px + static_cast<std::size_t>(r.start + i * dh) * W + c.start;
      for (int j = c.lo; j < c.hi; ++j) {
        const float v = row[j * dw];
        if (v != v) return v;  // the first NaN ends the window
        if (v > m) m = v;
      }
    }
    return m;
  });
}

Tensor average_pool(const Tensor& x, const PoolWindow& w) {
  check_window(x.shape(), w);
  const int W = x.dim(3), dh = w.dilations.at(0), dw = w.dilations.at(1);
  const bool include_pad = w.count_include_pad;
  return pool(x, w, [=](const float* px, const Taps& r, const Taps& c) {
    double sum = 0.0;
    for (int i = r.lo; i < r.hi; ++i) {
      const float* row = px + static_cast<std::size_t>(r.start + i * dh) * W + c.start;
      for (int j = c.lo; j < c.hi; ++j) sum += row[j * dw];
    }
    const int count = include_pad ? r.padded * c.padded : (r.hi - r.lo) * (c.hi - c.lo);
    return static_cast<float>(sum / count);
  });
}

Tensor max_pool_backward(const Tensor& x, const Tensor& grad_y, const PoolWindow& w) {
  check_window(x.shape(), w);
  if (plain_2x2(x, w) && grad_y.shape() == pool_output_shape(x.shape(), w)) return max_pool_backward_2x2<false>(x, grad_y);
  const int W = x.dim(3), dh = w.dilations.at(0), dw = w.dilations.at(1);
  return pool_backward(x, grad_y, w, [=](const float* px, float* gx, const Taps& r, const Taps& c, float g) {
    // The taps as max_pool walks them (a row pointer per window row): the first maximum wins.
    float m = 0.0f;
    const float* best = nullptr;
    for (int i = r.lo; i < r.hi; ++i) {
      const float* row = px + static_cast<std::size_t>(r.start + i * dh) * W + c.start;
      for (int j = c.lo; j < c.hi; ++j) {
        const float* at = row + j * dw;
        const float v = *at;
        if (v != v) return;  // a NaN window's output does not depend on x smoothly
        if (!best || v > m) m = v, best = at;
      }
    }
    if (best) gx[best - px] += g;
  });
}

Tensor max_pool_relu_backward(const Tensor& x, const Tensor& grad_y, const PoolWindow& w) {
  check_window(x.shape(), w);
  if (plain_2x2(x, w) && grad_y.shape() == pool_output_shape(x.shape(), w)) return max_pool_backward_2x2<true>(x, grad_y);
  return relu_backward(x, max_pool_backward(x, grad_y, w));
}

Tensor average_pool_backward(const Tensor& x, const Tensor& grad_y, const PoolWindow& w) {
  check_window(x.shape(), w);
  const int W = x.dim(3), dh = w.dilations.at(0), dw = w.dilations.at(1);
  const bool include_pad = w.count_include_pad;
  return pool_backward(x, grad_y, w, [=](const float*, float* gx, const Taps& r, const Taps& c, float g) {
    const int count = include_pad ? r.padded * c.padded : (r.hi - r.lo) * (c.hi - c.lo);
    const float share = static_cast<float>(static_cast<double>(g) / count);
    for (int i = r.lo; i < r.hi; ++i)
      for (int j = c.lo; j < c.hi; ++j) gx[static_cast<std::size_t>(r.start + i * dh) * W + c.start + j * dw] += share;
  });
}

Tensor global_average_pool(const Tensor& x) {
  if (x.rank() < 3)
    throw std::invalid_argument("global_average_pool: input " + x.shape_string() + " is not [N, C, D1, ...]");
  std::vector<int> shape(x.rank(), 1);
  shape[0] = x.dim(0);
  shape[1] = x.dim(1);
  Tensor y(shape, Tensor::uninitialized);
  const std::size_t plane = x.size() / std::max<std::size_t>(1, y.size());
  for (std::size_t o = 0; o < y.size(); ++o) {
    double sum = 0.0;
    for (std::size_t i = 0; i < plane; ++i) sum += x[o * plane + i];
    y[o] = static_cast<float>(sum / static_cast<double>(plane));
  }
  return y;
}

}  // namespace accsim
