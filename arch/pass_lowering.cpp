#include "arch/pass_lowering.h"

#include <algorithm>
#include <stdexcept>

namespace accsim {

const std::vector<std::string>& pass_names() {
  static const std::vector<std::string> names = {"fwd", "bwd_data", "bwd_weight"};
  return names;
}

const std::string& to_string(Pass p) { return pass_names()[static_cast<int>(p)]; }

namespace {

void check_shape(const Tensor& t, const std::vector<int>& shape, const char* what) {
  if (t.shape() != shape)
    throw std::invalid_argument(std::string("pass lowering: ") + what + " has shape " + t.shape_string() +
                                ", expected " + Tensor(shape).shape_string());
}

// [a, b, plane] -> [b, a, plane]: the two leading axes swapped, each plane copied whole
// (a plain transpose for planes of one element: Gemm's operands and outputs).
void swap_leading_axes(const float* from, int a, int b, std::size_t plane, float* to) {
  if (plane == 1) {
    for (int i = 0; i < a; ++i)
      for (int j = 0; j < b; ++j) to[static_cast<std::size_t>(j) * a + i] = from[static_cast<std::size_t>(i) * b + j];
    return;
  }
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < b; ++j) {
      const float* f = from + (static_cast<std::size_t>(i) * b + j) * plane;
      std::copy(f, f + plane, to + (static_cast<std::size_t>(j) * a + i) * plane);
    }
}

// Backward-data's stationary operand [C, K, R, S]: W[k, c] rotated by 180 degrees
// (stationary_origin's map, written as plain copies: it runs every training step).
Tensor flipped_weights(const ConvShape& l, const Tensor& w) {
  Tensor t({l.c, l.k, l.r, l.s}, Tensor::uninitialized);
  const std::size_t rs = static_cast<std::size_t>(l.r) * l.s;
  if (rs == 1) {  // 1x1 kernels (Gemm): nothing to rotate
    swap_leading_axes(w.data(), l.k, l.c, 1, t.data());
    return t;
  }
  float* to = t.data();
  for (int c = 0; c < l.c; ++c)
    for (int k = 0; k < l.k; ++k, to += rs) {
      const float* from = w.data() + (static_cast<std::size_t>(k) * l.c + c) * rs;
      for (std::size_t i = 0; i < rs; ++i) to[i] = from[rs - 1 - i];
    }
  return t;
}

// Backward-weight's stationary operand [K, N, P', Q']: dY[n, k] dilated by the stride
// (zeros between its elements), as stationary_origin maps it. At stride 1 each plane is
// dY's plane as it is: copied whole, no zero fill first.
Tensor dilated_output_gradient(const ConvShape& l, const ConvShape& j, const Tensor& grad_y) {
  const std::size_t pq = static_cast<std::size_t>(l.p()) * l.q(), plane = static_cast<std::size_t>(j.r) * j.s;
  if (l.stride == 1 && plane == pq) {
    Tensor t({j.k, j.c, j.r, j.s}, Tensor::uninitialized);
    swap_leading_axes(grad_y.data(), l.n, l.k, pq, t.data());
    return t;
  }
  Tensor t({j.k, j.c, j.r, j.s});
  for (int k = 0; k < l.k; ++k)
    for (int n = 0; n < l.n; ++n) {
      const float* from = grad_y.data() + (static_cast<std::size_t>(n) * l.k + k) * pq;
      float* to = t.data() + (static_cast<std::size_t>(k) * l.n + n) * plane;
      for (int p = 0; p < l.p(); ++p)
        for (int q = 0; q < l.q(); ++q)
          to[static_cast<std::size_t>(p) * l.stride * j.s + static_cast<std::size_t>(q) * l.stride] = from[p * l.q() + q];
    }
  return t;
}

}  // namespace

ConvJob lowered_job(const ConvJob& layer, Pass pass) {
  ConvJob job = layer;
  job.shape = lowered_shape(layer, pass);
  if (pass != Pass::forward) job.pool = {};  // PDP pools forward outputs only
  if (pass == Pass::backward_data) job.kind = JobKind::backward_data;
  if (pass == Pass::backward_weight) job.kind = JobKind::backward_weight;
  return job;
}

ConvShape lowered_shape(const ConvJob& layer, Pass pass) {
  const ConvShape& l = layer.shape;
  l.validate();
  ConvShape j;
  switch (pass) {
    case Pass::forward:
      return l;
    case Pass::backward_data:
      j.n = l.n, j.c = l.k, j.h = l.h + l.r - 1, j.w = l.w + l.s - 1;
      j.k = l.c, j.r = l.r, j.s = l.s;
      return j;
    case Pass::backward_weight:
      j.n = l.c, j.c = l.n, j.h = l.h + 2 * l.pad, j.w = l.w + 2 * l.pad;
      j.k = l.k, j.r = (l.p() - 1) * l.stride + 1, j.s = (l.q() - 1) * l.stride + 1;
      return j;
  }
  throw std::logic_error("lowered_shape: unknown pass");
}

std::vector<int> stationary_tensor_shape(const ConvJob& layer, Pass pass) {
  const ConvShape& l = layer.shape;
  if (pass == Pass::backward_weight) return {l.n, l.k, l.p(), l.q()};
  return {l.k, l.c, l.r, l.s};
}

std::vector<int> output_tensor_shape(const ConvJob& layer, Pass pass) {
  const ConvShape& l = layer.shape;
  switch (pass) {
    case Pass::forward: return {l.n, l.k, l.p(), l.q()};
    case Pass::backward_data: return {l.n, l.c, l.h, l.w};
    case Pass::backward_weight: return {l.k, l.c, l.r, l.s};
  }
  throw std::logic_error("output_tensor_shape: unknown pass");
}

std::vector<long long> stationary_origin(const ConvJob& layer, Pass pass) {
  const ConvShape& l = layer.shape;
  const ConvShape j = lowered_shape(layer, pass);
  std::vector<long long> origin(static_cast<std::size_t>(j.k) * j.c * j.r * j.s);
  std::size_t i = 0;
  for (int a = 0; a < j.k; ++a)
    for (int b = 0; b < j.c; ++b)
      for (int u = 0; u < j.r; ++u)
        for (int v = 0; v < j.s; ++v, ++i) {
          switch (pass) {
            case Pass::forward:
              origin[i] = static_cast<long long>(i);
              break;
            case Pass::backward_data:  // job (c, k, u, v) holds W[k, c, R-1-u, S-1-v]
              origin[i] = ((static_cast<long long>(b) * l.c + a) * l.r + (l.r - 1 - u)) * l.s + (l.s - 1 - v);
              break;
            case Pass::backward_weight:  // job (k, n, u, v) holds dY[n, k, u/stride, v/stride]
              origin[i] = (u % l.stride || v % l.stride)
                              ? -1
                              : ((static_cast<long long>(b) * l.k + a) * l.p() + u / l.stride) * l.q() + v / l.stride;
              break;
          }
        }
  return origin;
}

std::vector<long long> output_destination(const ConvJob& layer, Pass pass) {
  const ConvShape& l = layer.shape;
  const ConvShape j = lowered_shape(layer, pass);
  const std::size_t count = static_cast<std::size_t>(j.pixels()) * j.k;
  std::vector<long long> dest(count);
  if (pass != Pass::backward_weight) {
    for (std::size_t i = 0; i < count; ++i) dest[i] = static_cast<long long>(i);
    return dest;
  }
  // job output [C, K, Pj, Qj] -> dW [K, C, R, S], cropping the positions past R x S
  std::size_t i = 0;
  for (int c = 0; c < j.n; ++c)
    for (int k = 0; k < j.k; ++k)
      for (int r = 0; r < j.p(); ++r)
        for (int s = 0; s < j.q(); ++s, ++i)
          dest[i] = (r < l.r && s < l.s) ? ((static_cast<long long>(k) * l.c + c) * l.r + r) * l.s + s : -1;
  return dest;
}

LoweredJob lower_forward(const ConvJob& layer, const Tensor& x, const Tensor& w) {
  const ConvShape& l = layer.shape;
  check_shape(x, {l.n, l.c, l.h, l.w}, "input");
  check_shape(w, {l.k, l.c, l.r, l.s}, "weights");
  return {lowered_job(layer, Pass::forward), x, w};
}

namespace {

// dY[p][q] to row y0 + p*stride, column x0 + q*stride of each plane of `to` (zeroed), the
// columns inside it a run at a time (one copy at stride 1).
void scatter_output_gradient(const ConvShape& l, const ConvShape& j, int y0, int x0, const Tensor& grad_y, Tensor& to) {
  const int s = l.stride, q_lo = x0 >= 0 ? 0 : (-x0 + s - 1) / s;
  const int q_hi = std::max(q_lo, std::min(l.q(), x0 < j.w ? (j.w - 1 - x0) / s + 1 : 0));
  const std::size_t pq = static_cast<std::size_t>(l.p()) * l.q(), plane = static_cast<std::size_t>(j.h) * j.w;
  for (int n = 0; n < l.n; ++n)
    for (int k = 0; k < l.k; ++k) {
      const float* from = grad_y.data() + (static_cast<std::size_t>(n) * l.k + k) * pq;
      float* out = to.data() + (static_cast<std::size_t>(n) * j.c + k) * plane;
      for (int p = 0; p < l.p(); ++p) {
        const int y = y0 + p * s;
        if (y < 0 || y >= j.h) continue;
        const float* row = from + static_cast<std::size_t>(p) * l.q();
        float* dst = out + static_cast<std::size_t>(y) * j.w;
        if (s == 1) {
          std::copy(row + q_lo, row + q_hi, dst + x0 + q_lo);
        } else {
          for (int q = q_lo; q < q_hi; ++q) dst[x0 + q * s] = row[q];
        }
      }
    }
}

}  // namespace

LoweredJob lower_backward_data(const ConvJob& layer, const Tensor& w, const Tensor& grad_y) {
  const ConvShape& l = layer.shape;
  check_shape(w, {l.k, l.c, l.r, l.s}, "weights");
  check_shape(grad_y, {l.n, l.k, l.p(), l.q()}, "output gradient");
  LoweredJob lj{lowered_job(layer, Pass::backward_data), Tensor(), Tensor()};
  const ConvShape& j = lj.job.shape;
  // dY[p] lands at row (R-1-pad) + p*stride of the padded, zero-inserted map; rows that
  // fall outside it only ever met padding in the forward pass and get no gradient.
  const int y0 = l.r - 1 - l.pad, x0 = l.s - 1 - l.pad;
  if (y0 == 0 && x0 == 0 && l.stride == 1 && j.n == l.n && j.c == l.k && j.h == l.p() && j.w == l.q()) {
    lj.streamed = grad_y.reshaped({j.n, j.c, j.h, j.w});  // the same layout (1x1 kernels: Gemm)
  } else {
    lj.streamed = Tensor({j.n, j.c, j.h, j.w});
    scatter_output_gradient(l, j, y0, x0, grad_y, lj.streamed);
  }
  lj.stationary = flipped_weights(l, w);
  return lj;
}

LoweredJob lower_backward_weight(const ConvJob& layer, const Tensor& x, const Tensor& grad_y) {
  const ConvShape& l = layer.shape;
  check_shape(x, {l.n, l.c, l.h, l.w}, "input");
  check_shape(grad_y, {l.n, l.k, l.p(), l.q()}, "output gradient");
  LoweredJob lj{lowered_job(layer, Pass::backward_weight), Tensor(), Tensor()};
  const ConvShape& j = lj.job.shape;
  // [C, N, H+2p, W+2p]: X with N and C swapped, padded (zeroed first only for the padding)
  lj.streamed = l.pad == 0 ? Tensor({j.n, j.c, j.h, j.w}, Tensor::uninitialized) : Tensor({j.n, j.c, j.h, j.w});
  const std::size_t hw = static_cast<std::size_t>(l.h) * l.w, plane = static_cast<std::size_t>(j.h) * j.w;
  if (l.pad == 0) swap_leading_axes(x.data(), l.n, l.c, hw, lj.streamed.data());
  for (int n = 0; n < l.n && l.pad > 0; ++n)
    for (int c = 0; c < l.c; ++c) {
      const float* from = x.data() + (static_cast<std::size_t>(n) * l.c + c) * hw;
      float* to = lj.streamed.data() + (static_cast<std::size_t>(c) * j.c + n) * plane + l.pad * j.w + l.pad;
      for (int y = 0; y < l.h; ++y, from += l.w, to += j.w)
        for (int x = 0; x < l.w; ++x) to[x] = from[x];  // short rows (1 element for Gemm): no memmove call
    }
  lj.stationary = dilated_output_gradient(l, j, grad_y);
  return lj;
}

Tensor lift_output(const ConvJob& layer, Pass pass, Tensor job_output) {
  const ConvShape j = lowered_shape(layer, pass);
  check_shape(job_output, {j.n, j.k, j.p(), j.q()}, "job output");
  if (pass != Pass::backward_weight) return job_output;
  // job output [C, K, Pj, Qj] -> dW [K, C, R, S], cropping the positions past R x S (output_destination)
  const ConvShape& l = layer.shape;
  Tensor out(output_tensor_shape(layer, pass), Tensor::uninitialized);
  const std::size_t rs = static_cast<std::size_t>(l.r) * l.s, plane = static_cast<std::size_t>(j.p()) * j.q();
  if (plane == rs) {  // nothing to crop
    swap_leading_axes(job_output.data(), l.c, l.k, rs, out.data());
    return out;
  }
  for (int c = 0; c < l.c; ++c)
    for (int k = 0; k < l.k; ++k) {
      const float* from = job_output.data() + (static_cast<std::size_t>(c) * l.k + k) * plane;
      float* to = out.data() + (static_cast<std::size_t>(k) * l.c + c) * rs;
      for (int r = 0; r < l.r; ++r, from += j.q(), to += l.s)
        for (int x = 0; x < l.s; ++x) to[x] = from[x];  // a few elements (1 for Gemm): no memmove call
    }
  return out;
}

}  // namespace accsim
