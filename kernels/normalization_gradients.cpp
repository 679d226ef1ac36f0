#include "kernels/normalization_gradients.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernels/broadcast_ops.h"
#include "kernels/elementwise_gradients.h"
#include "kernels/tensor_shape.h"

namespace accsim {

namespace {

// x viewed as [outer, count, inner] around `axis` (softmax) or [outer, count] (layer norm).
struct Split3 {
  std::size_t outer = 1, count = 1, inner = 1;
};

Split3 split_at(const std::vector<int>& shape, int axis, bool to_end) {
  Split3 s;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d) {
    const auto n = static_cast<std::size_t>(shape[d]);
    if (d < axis) s.outer *= n;
    else if (d == axis || to_end) s.count *= n;
    else s.inner *= n;
  }
  return s;
}

// Per channel of x [N, C, ...]: sums over N and the spatial positions.
struct ChannelView {
  std::size_t n, c, plane;
  explicit ChannelView(const Tensor& x)
      : n(static_cast<std::size_t>(x.dim(0))), c(static_cast<std::size_t>(x.dim(1))),
        plane(x.size() / std::max<std::size_t>(1, n * c)) {}
  template <class F>
  void each(std::size_t ch, F f) const {  // f(flat index)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t p = 0; p < plane; ++p) f((i * c + ch) * plane + p);
  }
};

struct Moments {
  double mean, rstd;
};

Moments channel_moments(const Tensor& x, const ChannelView& v, std::size_t ch, float epsilon) {
  double sum = 0, sq = 0;
  const double m = static_cast<double>(v.n * v.plane);
  v.each(ch, [&](std::size_t i) { sum += x[i]; });
  const double mean = sum / m;
  v.each(ch, [&](std::size_t i) { sq += (x[i] - mean) * (x[i] - mean); });
  return {mean, 1.0 / std::sqrt(sq / m + epsilon)};
}

}  // namespace

Tensor softmax_backward(const Tensor& y, const Tensor& grad_y, int axis) {
  axis = normalize_axis(axis, static_cast<int>(y.rank()), "softmax_backward");
  const Split3 s = split_at(y.shape(), axis, false);
  Tensor gx(y.shape());
  for (std::size_t o = 0; o < s.outer; ++o)
    for (std::size_t in = 0; in < s.inner; ++in) {
      const std::size_t base = o * s.count * s.inner + in;
      double dot = 0;
      for (std::size_t k = 0; k < s.count; ++k) dot += static_cast<double>(grad_y[base + k * s.inner]) * y[base + k * s.inner];
      for (std::size_t k = 0; k < s.count; ++k) {
        const std::size_t i = base + k * s.inner;
        gx[i] = static_cast<float>(y[i] * (grad_y[i] - dot));
      }
    }
  return gx;
}

NormGradients layer_norm_backward(const Tensor& x, const Tensor& scale, const Tensor* bias,
                                  const Tensor& grad_y, int axis, float epsilon) {
  axis = normalize_axis(axis, static_cast<int>(x.rank()), "layer_norm_backward");
  const Split3 s = split_at(x.shape(), axis, true);
  const std::vector<int> inner_shape(x.shape().begin() + axis, x.shape().end());
  const Tensor sc = broadcast_to(scale, inner_shape);
  Tensor gx(x.shape()), gscale(inner_shape), gbias(inner_shape);
  std::vector<double> xhat(s.count), gs(s.count), acc_scale(s.count, 0.0), acc_bias(s.count, 0.0);
  for (std::size_t o = 0; o < s.outer; ++o) {
    const float* row = x.data() + o * s.count;
    const float* g = grad_y.data() + o * s.count;
    double sum = 0, sq = 0;
    for (std::size_t k = 0; k < s.count; ++k) sum += row[k];
    const double mean = sum / s.count;
    for (std::size_t k = 0; k < s.count; ++k) sq += (row[k] - mean) * (row[k] - mean);
    const double rstd = 1.0 / std::sqrt(sq / s.count + epsilon);
    double mean_gs = 0, mean_gs_xhat = 0;
    for (std::size_t k = 0; k < s.count; ++k) {
      xhat[k] = (row[k] - mean) * rstd;
      gs[k] = static_cast<double>(g[k]) * sc[k];
      mean_gs += gs[k] / s.count;
      mean_gs_xhat += gs[k] * xhat[k] / s.count;
      acc_scale[k] += static_cast<double>(g[k]) * xhat[k];
      acc_bias[k] += g[k];
    }
    for (std::size_t k = 0; k < s.count; ++k)
      gx[o * s.count + k] = static_cast<float>(rstd * (gs[k] - mean_gs - xhat[k] * mean_gs_xhat));
  }
  for (std::size_t k = 0; k < s.count; ++k) {
    gscale[k] = static_cast<float>(acc_scale[k]);
    gbias[k] = static_cast<float>(acc_bias[k]);
  }
  NormGradients out{std::move(gx), reduce_to_shape(gscale, scale.shape()), Tensor()};
  if (bias) out.bias = reduce_to_shape(gbias, bias->shape());
  return out;
}

NormGradients batch_norm_inference_backward(const Tensor& x, const Tensor& scale, const Tensor& mean,
                                            const Tensor& var, const Tensor& grad_y, float epsilon) {
  const ChannelView v(x);
  NormGradients out{Tensor(x.shape()), Tensor(scale.shape()), Tensor(scale.shape())};
  for (std::size_t ch = 0; ch < v.c; ++ch) {
    const double rstd = 1.0 / std::sqrt(static_cast<double>(var[ch]) + epsilon);
    double gs = 0, gb = 0;
    v.each(ch, [&](std::size_t i) {
      out.x[i] = static_cast<float>(grad_y[i] * scale[ch] * rstd);
      gs += grad_y[i] * (x[i] - mean[ch]) * rstd;
      gb += grad_y[i];
    });
    out.scale[ch] = static_cast<float>(gs);
    out.bias[ch] = static_cast<float>(gb);
  }
  return out;
}

BatchNormTraining batch_norm_training(const Tensor& x, const Tensor& scale, const Tensor& bias, float epsilon) {
  const ChannelView v(x);
  BatchNormTraining out{Tensor(x.shape()), Tensor({static_cast<int>(v.c)}), Tensor({static_cast<int>(v.c)})};
  for (std::size_t ch = 0; ch < v.c; ++ch) {
    const Moments m = channel_moments(x, v, ch, epsilon);
    v.each(ch, [&](std::size_t i) { out.y[i] = static_cast<float>((x[i] - m.mean) * m.rstd * scale[ch] + bias[ch]); });
    out.mean[ch] = static_cast<float>(m.mean);
    out.var[ch] = static_cast<float>(1.0 / (m.rstd * m.rstd) - epsilon);
  }
  return out;
}

NormGradients batch_norm_training_backward(const Tensor& x, const Tensor& scale, const Tensor& grad_y, float epsilon) {
  const ChannelView v(x);
  NormGradients out{Tensor(x.shape()), Tensor(scale.shape()), Tensor(scale.shape())};
  const double m = static_cast<double>(v.n * v.plane);
  for (std::size_t ch = 0; ch < v.c; ++ch) {
    const Moments mo = channel_moments(x, v, ch, epsilon);
    double gs = 0, gb = 0;
    v.each(ch, [&](std::size_t i) {
      gs += grad_y[i] * (x[i] - mo.mean) * mo.rstd;
      gb += grad_y[i];
    });
    v.each(ch, [&](std::size_t i) {
      const double xhat = (x[i] - mo.mean) * mo.rstd;
      out.x[i] = static_cast<float>(scale[ch] * mo.rstd / m * (m * grad_y[i] - gb - xhat * gs));
    });
    out.scale[ch] = static_cast<float>(gs);
    out.bias[ch] = static_cast<float>(gb);
  }
  return out;
}

Tensor reduce_mean_backward(const std::vector<int>& x_shape, const Tensor& grad_y, std::vector<int> axes) {
  const int rank = static_cast<int>(x_shape.size());
  if (axes.empty())
    for (int d = 0; d < rank; ++d) axes.push_back(d);
  std::vector<int> kept = x_shape;
  std::size_t count = 1;
  for (int a : axes) {
    a = normalize_axis(a, rank, "reduce_mean_backward");
    count *= static_cast<std::size_t>(x_shape[a]);
    kept[a] = 1;
  }
  Tensor gx = broadcast_to(grad_y.reshaped(kept), x_shape);
  for (float& g : gx.values()) g = static_cast<float>(static_cast<double>(g) / count);
  return gx;
}

}  // namespace accsim
