#include "kernels/normalization.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "kernels/broadcast_ops.h"
#include "kernels/split_rows.h"
#include "kernels/strided_walk.h"
#include "kernels/tensor_shape.h"

namespace accsim {
namespace {

// Softmax of n contiguous elements (the common last-axis case).
void softmax_row(const float* px, float* py, int n) {
  float mx = px[0];
  bool nan = false;
  for (int k = 1; k < n; ++k) {  // branch-free: maxss, and NaNs noted aside
    mx = px[k] > mx ? px[k] : mx;
    nan |= px[k] != px[k];
  }
  if (nan) mx = std::numeric_limits<float>::quiet_NaN();  // the whole row becomes NaN
  double sum = 0.0;
  for (int k = 0; k < n; ++k) {
    py[k] = std::exp(px[k] - mx);
    sum += py[k];
  }
  for (int k = 0; k < n; ++k) py[k] = static_cast<float>(py[k] / sum);
}

// One slice of softmax: n elements `inner` apart, starting at px / py. mx and sum are
// caller-owned scratch rows of `inner` entries, so all inner positions go in one sweep.
void softmax_block(const float* px, float* py, int n, std::size_t inner, std::vector<float>& mx,
                   std::vector<double>& sum) {
  for (std::size_t i = 0; i < inner; ++i) mx[i] = px[i];
  for (int k = 1; k < n; ++k)
    for (std::size_t i = 0; i < inner; ++i) {
      const float v = px[k * inner + i];
      if (v > mx[i] || v != v) mx[i] = v;  // a NaN sticks: NaN > m and m > NaN are both false
    }
  std::fill(sum.begin(), sum.end(), 0.0);
  for (int k = 0; k < n; ++k)
    for (std::size_t i = 0; i < inner; ++i) {
      const float e = std::exp(px[k * inner + i] - mx[i]);
      py[k * inner + i] = e;
      sum[i] += e;
    }
  for (int k = 0; k < n; ++k)
    for (std::size_t i = 0; i < inner; ++i) py[k * inner + i] = static_cast<float>(py[k * inner + i] / sum[i]);
}

// p's values as a flat row over x's dims [axis, rank): p's own data when shaped so,
// otherwise broadcast into `storage`.
const float* normalized_operand(const Tensor& p, const std::vector<int>& dims, const char* name, Tensor& storage) {
  if (p.shape() == dims) return p.data();
  try {
    storage = broadcast_to(p, dims);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(std::string("layer_norm: ") + name + " " + p.shape_string() +
                                " does not broadcast to the normalised dims " + shape_to_string(dims));
  }
  return storage.data();
}

// One row of layer_norm: mean and biased variance in double, then each element scaled.
void layer_norm_row(const float* px, const float* s, const float* b, std::size_t n, float epsilon, float* py) {
  double mean = 0.0, var = 0.0;
  for (std::size_t i = 0; i < n; ++i) mean += px[i];
  mean /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i) var += (px[i] - mean) * (px[i] - mean);
  const double inv = 1.0 / std::sqrt(var / static_cast<double>(n) + epsilon);
  for (std::size_t i = 0; i < n; ++i) py[i] = static_cast<float>((px[i] - mean) * inv * s[i] + b[i]);
}

// True when the reduced axes are exactly the last ones (LayerNorm's decomposed means).
bool trailing_axes(const std::vector<bool>& reduced) {
  std::size_t first = reduced.size();
  while (first > 0 && reduced[first - 1]) --first;
  return first < reduced.size() && std::find(reduced.begin(), reduced.begin() + static_cast<std::ptrdiff_t>(first), true) ==
                                       reduced.begin() + static_cast<std::ptrdiff_t>(first);
}

// reduce_mean over trailing axes: each output the mean of `count` contiguous elements,
// rows split over threads. The arithmetic is the general walk's (a local double sum added
// to a zero accumulator, divided once), so the bits are the same.
Tensor reduce_mean_rows(const Tensor& x, std::size_t count, const std::vector<int>& out, int threads) {
  Tensor y(out, Tensor::uninitialized);
  const float* px = x.data();
  float* py = y.data();
  split_rows(threads, y.size(), count, [&](std::size_t first, std::size_t last) {
    for (std::size_t o = first; o < last; ++o) {
      double sum = 0.0;
      for (std::size_t j = 0; j < count; ++j) sum += px[o * count + j];
      double acc = 0.0;
      acc += sum;
      py[o] = static_cast<float>(acc / static_cast<double>(count));
    }
  });
  return y;
}

void check_channel_param(const Tensor& p, int C, const char* name) {
  if (p.rank() != 1 || p.dim(0) != C)
    throw std::invalid_argument(std::string("batch_norm: ") + name + " is " + p.shape_string() + ", expected [" +
                                std::to_string(C) + "] (one per channel)");
}

// y may be x: every element is read before it is written, at the same index (softmax_row,
// softmax_block).
void softmax_into(const Tensor& x, int axis, int threads, Tensor& y) {
  const int a = normalize_axis(axis, static_cast<int>(x.rank()), "softmax");
  const int n = x.dim(a);
  const std::size_t inner = element_count(std::vector<int>(x.shape().begin() + a + 1, x.shape().end()));
  const std::size_t block = inner * static_cast<std::size_t>(n);
  if (block == 0) return;
  // Blocks are independent: split over threads, each block computed as on one thread.
  split_rows(threads, x.size() / block, block, [&](std::size_t first, std::size_t last) {
    if (inner == 1) {
      for (std::size_t o = first * block; o < last * block; o += block) softmax_row(x.data() + o, y.data() + o, n);
      return;
    }
    std::vector<float> mx(inner);
    std::vector<double> sum(inner);
    for (std::size_t o = first * block; o < last * block; o += block)
      softmax_block(x.data() + o, y.data() + o, n, inner, mx, sum);
  });
}

// y may be x: each row's mean and variance are taken before the row is written.
void layer_norm_into(const Tensor& x, const Tensor& scale, const Tensor* bias, int axis, float epsilon, int threads,
                     Tensor& y) {
  const int a = normalize_axis(axis, static_cast<int>(x.rank()), "layer_norm");
  const std::vector<int> dims(x.shape().begin() + a, x.shape().end());
  const std::size_t n = element_count(dims);
  Tensor s_storage, b_storage(bias ? std::vector<int>{} : dims, 0.0f);
  const float* s = normalized_operand(scale, dims, "scale", s_storage);
  const float* b = bias ? normalized_operand(*bias, dims, "bias", b_storage) : b_storage.data();
  if (n == 0) return;
  split_rows(threads, x.size() / n, n, [&](std::size_t first, std::size_t last) {
    for (std::size_t o = first * n; o < last * n; o += n) layer_norm_row(x.data() + o, s, b, n, epsilon, y.data() + o);
  });
}

}  // namespace

Tensor softmax(const Tensor& x, int axis, int threads) {
  Tensor y(x.shape(), Tensor::uninitialized);
  softmax_into(x, axis, threads, y);
  return y;
}

void softmax_in_place(Tensor& x, int axis, int threads) { softmax_into(x, axis, threads, x); }

Tensor layer_norm(const Tensor& x, const Tensor& scale, const Tensor* bias, int axis, float epsilon, int threads) {
  Tensor y(x.shape(), Tensor::uninitialized);
  layer_norm_into(x, scale, bias, axis, epsilon, threads, y);
  return y;
}

void layer_norm_in_place(Tensor& x, const Tensor& scale, const Tensor* bias, int axis, float epsilon, int threads) {
  layer_norm_into(x, scale, bias, axis, epsilon, threads, x);
}

Tensor batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& bias, const Tensor& mean,
                            const Tensor& var, float epsilon) {
  if (x.rank() < 2) throw std::invalid_argument("batch_norm: x " + x.shape_string() + " needs rank >= 2 [N, C, ...]");
  const int C = x.dim(1);
  check_channel_param(scale, C, "scale");
  check_channel_param(bias, C, "bias");
  check_channel_param(mean, C, "mean");
  check_channel_param(var, C, "var");
  const std::size_t inner = element_count(std::vector<int>(x.shape().begin() + 2, x.shape().end()));
  Tensor y(x.shape(), Tensor::uninitialized);
  std::size_t o = 0;
  for (int nn = 0; nn < x.dim(0); ++nn)
    for (int c = 0; c < C; ++c) {
      const float alpha = 1.0f / std::sqrt(var[c] + epsilon) * scale[c];
      const float beta = bias[c] - mean[c] * alpha;
      for (std::size_t i = 0; i < inner; ++i, ++o) y[o] = x[o] * alpha + beta;
    }
  return y;
}

Tensor reduce_mean(const Tensor& x, std::vector<int> axes, bool keepdims, int threads) {
  const int rank = static_cast<int>(x.rank());
  std::vector<bool> reduced(x.rank(), axes.empty());
  for (int ax : axes) {
    const int a = normalize_axis(ax, rank, "reduce_mean");
    if (reduced[a]) throw std::invalid_argument("reduce_mean: axis " + std::to_string(ax) + " given twice");
    reduced[a] = true;
  }
  std::vector<int> kept(x.shape()), out;
  std::size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    if (reduced[i]) {
      count *= static_cast<std::size_t>(x.dim(i));
      kept[i] = 1;
    }
    if (!reduced[i] || keepdims) out.push_back(kept[i]);
  }
  if (trailing_axes(reduced) && count > 0) return reduce_mean_rows(x, count, out, threads);
  // Walk x in row-major order; each row adds into the output elements it maps to.
  const auto kept_strides = row_major_strides(kept);
  std::vector<std::ptrdiff_t> to_out(x.rank(), 0);
  for (int i = 0; i < rank; ++i)
    if (!reduced[i]) to_out[i] = static_cast<std::ptrdiff_t>(kept_strides[i]);
  std::vector<double> acc(element_count(kept), 0.0);
  const float* px = x.data();
  walk_rows<1>(x.shape(), {to_out},
               [&](std::size_t o, int len, const std::array<std::ptrdiff_t, 1>& off,
                   const std::array<std::ptrdiff_t, 1>& step) {
                 if (step[0] == 0) {  // a row reduced into one output: a local sum, not a memory chain
                   double sum = 0.0;
                   for (int j = 0; j < len; ++j) sum += px[o + j];
                   acc[off[0]] += sum;
                 } else {
                   for (int j = 0; j < len; ++j) acc[off[0] + j * step[0]] += px[o + j];
                 }
               });
  Tensor y(out);
  for (std::size_t i = 0; i < acc.size(); ++i) y[i] = static_cast<float>(acc[i] / static_cast<double>(count));
  return y;
}

}  // namespace accsim
