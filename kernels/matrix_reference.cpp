#include "kernels/matrix_reference.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/broadcast_ops.h"
#include "kernels/strided_walk.h"
#include "kernels/tensor_shape.h"

namespace accsim {
namespace {

// One [M, K] x [K, N] product in double, rounded once, into y (row-major [M, N]).
void matmul_block(const float* a, const float* b, float* y, int M, int K, int N, std::vector<double>& acc) {
  for (int m = 0; m < M; ++m) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int k = 0; k < K; ++k) {
      const double av = a[static_cast<std::size_t>(m) * K + k];
      const float* brow = b + static_cast<std::size_t>(k) * N;
      for (int n = 0; n < N; ++n) acc[n] += av * brow[n];
    }
    for (int n = 0; n < N; ++n) y[static_cast<std::size_t>(m) * N + n] = static_cast<float>(acc[n]);
  }
}

// Matrix (not element) strides of a batch shape within an output batch of rank `rank`.
std::vector<std::ptrdiff_t> batch_strides(const std::vector<int>& batch, std::size_t rank) {
  std::vector<std::ptrdiff_t> s(rank, 0);
  const auto own = row_major_strides(batch);
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i] != 1) s[rank - batch.size() + i] = static_cast<std::ptrdiff_t>(own[i]);
  return s;
}

Tensor transposed_2d(const Tensor& x) {
  Tensor t({x.dim(1), x.dim(0)});
  const std::size_t rows = static_cast<std::size_t>(x.dim(0)), cols = static_cast<std::size_t>(x.dim(1));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t j = 0; j < cols; ++j) t[j * rows + i] = x[i * cols + j];
  return t;
}

}  // namespace

Tensor matmul_reference(const Tensor& a, const Tensor& b) {
  if (a.rank() == 0 || b.rank() == 0)
    throw std::invalid_argument("matmul: operands " + a.shape_string() + " and " + b.shape_string() +
                                " must have rank >= 1");
  std::vector<int> as = a.shape(), bs = b.shape();
  if (as.size() == 1) as.insert(as.begin(), 1);
  if (bs.size() == 1) bs.push_back(1);
  const int M = as[as.size() - 2], K = as.back(), N = bs.back();
  if (bs[bs.size() - 2] != K)
    throw std::invalid_argument("matmul: " + a.shape_string() + " x " + b.shape_string() + ": inner dims " +
                                std::to_string(K) + " and " + std::to_string(bs[bs.size() - 2]) + " differ");
  const std::vector<int> a_batch(as.begin(), as.end() - 2), b_batch(bs.begin(), bs.end() - 2);
  const std::vector<int> batch = broadcast_shape(a_batch, b_batch);
  std::vector<int> shape(batch);
  if (a.rank() > 1) shape.push_back(M);
  if (b.rank() > 1) shape.push_back(N);
  Tensor y(shape);
  const std::size_t a_mat = static_cast<std::size_t>(M) * K, b_mat = static_cast<std::size_t>(K) * N,
                    y_mat = static_cast<std::size_t>(M) * N;
  if (y_mat == 0) return y;
  std::vector<double> acc(static_cast<std::size_t>(N));
  walk_rows<2>(batch, {batch_strides(a_batch, batch.size()), batch_strides(b_batch, batch.size())},
               [&](std::size_t o, int n, const std::array<std::ptrdiff_t, 2>& off,
                   const std::array<std::ptrdiff_t, 2>& step) {
                 for (int j = 0; j < n; ++j)
                   matmul_block(a.data() + (off[0] + j * step[0]) * a_mat, b.data() + (off[1] + j * step[1]) * b_mat,
                                y.data() + (o + j) * y_mat, M, K, N, acc);
               });
  return y;
}

Tensor gemm_reference(const Tensor& a, const Tensor& b, const Tensor* c, float alpha, float beta, bool trans_a,
                      bool trans_b) {
  if (a.rank() != 2 || b.rank() != 2)
    throw std::invalid_argument("gemm: A " + a.shape_string() + " and B " + b.shape_string() + " must be rank 2");
  const Tensor at = trans_a ? transposed_2d(a) : a, bt = trans_b ? transposed_2d(b) : b;
  const int M = at.dim(0), K = at.dim(1), N = bt.dim(1);
  if (bt.dim(0) != K)
    throw std::invalid_argument("gemm: A' [" + std::to_string(M) + "," + std::to_string(K) + "] and B' [" +
                                std::to_string(bt.dim(0)) + "," + std::to_string(N) + "] do not multiply");
  Tensor cb;
  if (c) {
    try {
      cb = broadcast_to(*c, {M, N});
    } catch (const std::invalid_argument&) {
      throw std::invalid_argument("gemm: C " + c->shape_string() + " does not broadcast to [" + std::to_string(M) +
                                  "," + std::to_string(N) + "]");
    }
  }
  Tensor y({M, N});
  for (int m = 0; m < M; ++m)
    for (int n = 0; n < N; ++n) {
      double sum = 0.0;
      for (int k = 0; k < K; ++k)
        sum += static_cast<double>(at[static_cast<std::size_t>(m) * K + k]) * bt[static_cast<std::size_t>(k) * N + n];
      const std::size_t o = static_cast<std::size_t>(m) * N + n;
      y[o] = static_cast<float>(static_cast<double>(alpha) * sum + (c ? static_cast<double>(beta) * cb[o] : 0.0));
    }
  return y;
}

}  // namespace accsim
