#include "workloads/models/array_slices.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace accsim {

// Every function below that makes a tensor writes each of its elements (whole copies or
// every index), so none zero-fills it first.

Tensor channel_slice(const Tensor& x, int first, int count) {
  const int n = x.dim(0), c = x.dim(1);
  const std::size_t plane = x.size() / (static_cast<std::size_t>(n) * c);
  Tensor out({n, count, x.dim(2), x.dim(3)}, Tensor::uninitialized);
  for (int i = 0; i < n; ++i)
    std::memcpy(out.data() + static_cast<std::size_t>(i) * count * plane,
                x.data() + (static_cast<std::size_t>(i) * c + first) * plane, count * plane * sizeof(float));
  return out;
}

Tensor kernel_slice(const Tensor& w, int first, int count) {
  const std::size_t per_kernel = w.size() / w.dim(0);
  Tensor out({count, w.dim(1), w.dim(2), w.dim(3)}, Tensor::uninitialized);
  std::memcpy(out.data(), w.data() + first * per_kernel, out.size() * sizeof(float));
  return out;
}

void put_channels(Tensor& y, const Tensor& part, int first) {
  const int n = y.dim(0), k = y.dim(1), count = part.dim(1);
  const std::size_t plane = static_cast<std::size_t>(y.dim(2)) * y.dim(3);
  for (int i = 0; i < n; ++i)
    std::memcpy(y.data() + (static_cast<std::size_t>(i) * k + first) * plane,
                part.data() + static_cast<std::size_t>(i) * count * plane, count * plane * sizeof(float));
}

Tensor phase(const Tensor& x, int d, int a, int b) {
  const int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int ph = (h - a + d - 1) / d, pw = (w - b + d - 1) / d;
  Tensor out({n, c, ph, pw}, Tensor::uninitialized);
  for (int plane = 0; plane < n * c; ++plane)
    for (int i = 0; i < ph; ++i)
      for (int j = 0; j < pw; ++j)
        out[(static_cast<std::size_t>(plane) * ph + i) * pw + j] =
            x[(static_cast<std::size_t>(plane) * h + a + i * d) * w + b + j * d];
  return out;
}

void add_phase(Tensor& x, const Tensor& part, int d, int a, int b) {
  const int h = x.dim(2), w = x.dim(3), ph = part.dim(2), pw = part.dim(3);
  for (int plane = 0; plane < x.dim(0) * x.dim(1); ++plane)
    for (int i = 0; i < ph; ++i)
      for (int j = 0; j < pw; ++j)
        x[(static_cast<std::size_t>(plane) * h + a + i * d) * w + b + j * d] +=
            part[(static_cast<std::size_t>(plane) * ph + i) * pw + j];
}

long long matrix_offset(const Tensor& t, const std::vector<int>& batch, long long index) {
  const int rank = static_cast<int>(t.rank());
  const int rows = t.dim(rank - 2), cols = t.dim(rank - 1);
  long long offset = 0, stride = 1;
  for (int d = static_cast<int>(batch.size()) - 1; d >= 0; --d) {
    const int coordinate = static_cast<int>(index % batch[d]);
    index /= batch[d];
    const int own = d - (static_cast<int>(batch.size()) - (rank - 2));
    if (own < 0) continue;
    const int size = t.dim(own);
    if (size != 1) offset += coordinate * stride;
    stride *= size;
  }
  return offset * rows * cols;
}

Tensor matrix_at(const Tensor& t, const std::vector<int>& batch, long long index) {
  const int rank = static_cast<int>(t.rank());
  Tensor m({t.dim(rank - 2), t.dim(rank - 1)}, Tensor::uninitialized);
  std::memcpy(m.data(), t.data() + matrix_offset(t, batch, index), m.size() * sizeof(float));
  return m;
}

std::vector<int> batch_dims(const Tensor& t) { return {t.shape().begin(), t.shape().end() - 2}; }

std::vector<int> matmul_batch(const Tensor& a, const Tensor& b) {
  if (b.dim(b.rank() - 2) != a.dim(a.rank() - 1)) throw std::invalid_argument("MatMul: inner dimensions differ");
  std::vector<int> batch;
  const std::vector<int> ba = batch_dims(a), bb = batch_dims(b);
  const std::size_t rank = std::max(ba.size(), bb.size());
  for (std::size_t i = 0; i < rank; ++i) {
    const int da = i + ba.size() >= rank ? ba[i + ba.size() - rank] : 1;
    const int db = i + bb.size() >= rank ? bb[i + bb.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) throw std::invalid_argument("MatMul: batch dimensions do not broadcast");
    batch.push_back(std::max(da, db));
  }
  return batch;
}

Tensor crop_spatial(const Tensor& x, const std::vector<int>& pads) {
  const int h = x.dim(2) - pads[0] - pads[2], w = x.dim(3) - pads[1] - pads[3];
  Tensor out({x.dim(0), x.dim(1), h, w}, Tensor::uninitialized);
  for (int plane = 0; plane < x.dim(0) * x.dim(1); ++plane)
    for (int i = 0; i < h; ++i)
      std::memcpy(out.data() + (static_cast<std::size_t>(plane) * h + i) * w,
                  x.data() + (static_cast<std::size_t>(plane) * x.dim(2) + i + pads[0]) * x.dim(3) + pads[1],
                  w * sizeof(float));
  return out;
}

}  // namespace accsim
