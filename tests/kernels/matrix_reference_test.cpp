// The MatMul/Gemm references against hand-computed products and against a per-output-element
// formula that maps each output index back to its operands' rows and columns (numpy rules).
#include "kernels/matrix_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

using testing::unflatten;

using testing::random_tensor;

Tensor make(std::vector<int> shape, std::vector<float> v) {
  Tensor t(std::move(shape));
  t.values().assign(v.begin(), v.end());
  return t;
}

// Element (row, col) of matrix `batch_idx` (right-aligned against the output batch) of x [..., R, C].
double at(const Tensor& x, const std::vector<int>& batch_idx, int row, int col) {
  const std::size_t r = x.rank(), lead = batch_idx.size() - (r - 2);
  std::size_t f = 0;
  for (std::size_t i = 0; i + 2 < r; ++i) f = f * x.dim(i) + (x.dim(i) == 1 ? 0 : batch_idx[lead + i]);
  return x[(f * x.dim(r - 2) + row) * x.dim(r - 1) + col];
}

// Each output element of an (at least rank-2) matmul: sum over k, in long double.
void expect_matmul(const Tensor& a, const Tensor& b, const Tensor& y) {
  const int K = a.dim(a.rank() - 1);
  for (std::size_t f = 0; f < y.size(); ++f) {
    const auto idx = unflatten(f, y.shape());
    const std::vector<int> batch(idx.begin(), idx.end() - 2);
    long double s = 0;
    const int row = idx[idx.size() - 2], col = idx.back();
    for (int k = 0; k < K; ++k) s += static_cast<long double>(at(a, batch, row, k)) * at(b, batch, k, col);
    ASSERT_NEAR(y[f], static_cast<double>(s), 6e-8 * std::fabs(static_cast<double>(s)) + 1e-30) << "element " << f;
  }
}

TEST(MatrixReference, MatmulHandComputed) {
  const Tensor a = make({2, 3}, {1, 2, 3, 4, 5, 6}), b = make({3, 2}, {7, 8, 9, 10, 11, 12});
  const Tensor y = matmul_reference(a, b);
  EXPECT_EQ(y.shape(), (std::vector<int>{2, 2}));
  EXPECT_EQ(y.values(), (std::vector<float>{58, 64, 139, 154}));
}

TEST(MatrixReference, MatmulRankOneOperandsLoseTheirAddedDim) {
  const Tensor v = make({3}, {1, 2, 3}), m = make({3, 2}, {1, 0, 0, 1, 1, 1}), mt = make({2, 3}, {1, 0, 1, 0, 1, 1});
  const Tensor dot = matmul_reference(v, v);
  EXPECT_EQ(dot.rank(), 0u);
  EXPECT_EQ(dot[0], 14.0f);
  EXPECT_EQ(matmul_reference(v, m).shape(), (std::vector<int>{2}));
  EXPECT_EQ(matmul_reference(v, m).values(), (std::vector<float>{4, 5}));
  EXPECT_EQ(matmul_reference(mt, v).values(), (std::vector<float>{4, 5}));
  const Tensor batched = make({2, 2, 3}, {1, 0, 1, 0, 1, 1, 2, 0, 0, 0, 0, 2});
  EXPECT_EQ(matmul_reference(batched, v).shape(), (std::vector<int>{2, 2}));
  EXPECT_EQ(matmul_reference(batched, v).values(), (std::vector<float>{4, 5, 2, 6}));
  const Tensor bm = make({2, 3, 1}, {1, 1, 1, 0, 0, 1});
  EXPECT_EQ(matmul_reference(v, bm).shape(), (std::vector<int>{2, 1}));
  EXPECT_EQ(matmul_reference(v, bm).values(), (std::vector<float>{6, 3}));
}

TEST(MatrixReference, MatmulBroadcastBatchesMatchPerElementFormula) {
  Rng rng(1351);
  struct Case {
    std::vector<int> a, b, y;
  };
  const std::vector<Case> cases{
      {{2, 1, 3, 4}, {3, 4, 5}, {2, 3, 3, 5}},  // batch [2,1] x [3] -> [2,3]
      {{4, 2, 6}, {6, 3}, {4, 2, 3}},           // weights shared across the batch
      {{2, 3, 5}, {2, 5, 4}, {2, 3, 4}},        // attention-style Q.K^T per head
      {{1, 3, 1}, {2, 1, 2}, {2, 3, 2}},        // K = 1
      {{2, 2, 3, 4}, {2, 1, 4, 2}, {2, 2, 3, 2}}};
  for (const auto& c : cases) {
    const Tensor a = random_tensor(c.a, rng), b = random_tensor(c.b, rng);
    const Tensor y = matmul_reference(a, b);
    ASSERT_EQ(y.shape(), c.y);
    expect_matmul(a, b, y);
  }
}

TEST(MatrixReference, MatmulBadShapesThrow) {
  EXPECT_THROW(matmul_reference(Tensor({2, 3}), Tensor({2, 3})), std::invalid_argument);
  EXPECT_THROW(matmul_reference(Tensor(std::vector<int>{}), Tensor({3})), std::invalid_argument);
  EXPECT_THROW(matmul_reference(Tensor({2, 2, 3}), Tensor({3, 3, 2})), std::invalid_argument);
  EXPECT_THROW(matmul_reference(Tensor({4}), Tensor({3})), std::invalid_argument);
}

TEST(MatrixReference, MatmulNanAndInfinityPropagateAlongTheirRow) {
  Tensor a = make({2, 2}, {std::numeric_limits<float>::quiet_NaN(), 1, 1, 1});
  const Tensor b = make({2, 2}, {1, 2, std::numeric_limits<float>::infinity(), 0});
  const Tensor y = matmul_reference(a, b);
  EXPECT_TRUE(std::isnan(y[0]) && std::isnan(y[1]));
  EXPECT_EQ(y[2], std::numeric_limits<float>::infinity());
  EXPECT_EQ(y[3], 2.0f);
}

// alpha * A'B' + beta * C computed from explicitly transposed copies, per element.
TEST(MatrixReference, GemmEveryTransposeAndBiasShapeMatchesFormula) {
  Rng rng(1352);
  const int M = 3, K = 4, N = 5;
  const Tensor A = random_tensor({M, K}, rng), B = random_tensor({K, N}, rng);
  Tensor At({K, M}), Bt({N, K});
  for (int i = 0; i < M; ++i)
    for (int k = 0; k < K; ++k) At[k * M + i] = A[i * K + k];
  for (int k = 0; k < K; ++k)
    for (int j = 0; j < N; ++j) Bt[j * K + k] = B[k * N + j];
  const std::vector<std::vector<int>> c_shapes{{}, {N}, {1, N}, {M, 1}, {M, N}, {1}};
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    for (std::size_t ci = 0; ci <= c_shapes.size(); ++ci) {
      const bool has_c = ci < c_shapes.size();
      const Tensor C = has_c ? random_tensor(c_shapes[ci], rng) : Tensor();
      const Tensor y = gemm_reference(ta ? At : A, tb ? Bt : B, has_c ? &C : nullptr, 0.5f, -2.0f, ta, tb);
      ASSERT_EQ(y.shape(), (std::vector<int>{M, N}));
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
          double s = 0;
          for (int k = 0; k < K; ++k) s += static_cast<double>(A[i * K + k]) * B[k * N + j];
          double c = 0;
          if (has_c) {
            const auto& cs = c_shapes[ci];
            const int ri = cs.size() == 2 && cs[0] == M ? i : 0;
            const int cj = !cs.empty() && cs.back() == N ? j : 0;
            c = C[cs.size() == 2 ? ri * cs[1] + cj : cj];
          }
          const double r = 0.5 * s - 2.0 * c;
          ASSERT_NEAR(y[i * N + j], r, 6e-8 * std::fabs(r)) << "trans " << t << " c " << ci;
        }
    }
  }
}

TEST(MatrixReference, GemmBadShapesThrow) {
  const Tensor a({3, 4}), b({4, 5});
  EXPECT_THROW(gemm_reference(a, b, nullptr, 1, 1, true, false), std::invalid_argument);
  EXPECT_THROW(gemm_reference(Tensor({4}), b, nullptr, 1, 1, false, false), std::invalid_argument);
  const Tensor bad_c({4});
  EXPECT_THROW(gemm_reference(a, b, &bad_c, 1, 1, false, false), std::invalid_argument);
  const Tensor big_c({2, 3, 5});
  EXPECT_THROW(gemm_reference(a, b, &big_c, 1, 1, false, false), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
