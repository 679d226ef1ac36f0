// The host side of the array operators: a Gemm's alpha and beta * C in every broadcast
// of C, and a batched MatMul's stationary operands (each B matrix transposed), bit for bit.
#include <gtest/gtest.h>

#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/models/array_runner.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::count_bit_differences;
using testing::OnnxBuilder;
using testing::preset;
using testing::random_tensor;
using testing::TempDir;

std::vector<float> values_of(const Tensor& t) { return {t.values().begin(), t.values().end()}; }

// alpha * (A B^T) + beta * C with C a scalar, [N], [1, N], [M, 1] or [M, N]: each element
// as the product * alpha, then + beta * C's element, on 1 and 2 host threads.
TEST(GemmHost, AlphaAndBetaTimesCInEveryBroadcastBitForBit) {
  const int m = 13, k = 9, n = 7;
  const PeFaults none;
  FastEngine engine(preset("small"), none);
  for (const std::vector<int>& c_shape : {std::vector<int>{}, {n}, {1, n}, {m, 1}, {m, n}})
    for (const float alpha : {1.0f, 0.3f}) {
      const TempDir dir;
      Rng rng(21);
      const Tensor w = random_tensor({n, k}, rng), c = random_tensor(c_shape, rng), x = random_tensor({m, k}, rng);
      OnnxBuilder b;
      b.input("x", {0, k}).output("y");
      b.floats("w", {n, k}, values_of(w)).floats("c", c_shape, values_of(c));
      auto& gemm = b.node("Gemm", {"x", "w", "c"}, {"y"}, "fc");
      OnnxBuilder::int_attribute(gemm, "transB", 1);
      OnnxBuilder::float_attribute(gemm, "alpha", alpha);
      OnnxBuilder::float_attribute(gemm, "beta", 0.75f);
      b.save(dir.file("fc.onnx"));
      const Graph g = load_onnx_model(dir.file("fc.onnx"), m);
      ArrayRunner runner(engine, false);
      Tensor want = runner.gemm("fc", x, w, false, true);
      const bool c_rows = c_shape.size() == 2 && c_shape[0] == m, c_cols = !c_shape.empty() && c_shape.back() == n;
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          float& y = want[static_cast<std::size_t>(i) * n + j];
          if (alpha != 1.0f) y *= alpha;
          y += 0.75f * c[static_cast<std::size_t>(c_rows ? i : 0) * (c_cols ? n : 1) + (c_cols ? j : 0)];
        }
      for (int threads : {1, 2}) {
        const Tensor got = run_graph(g, x, engine, false, threads).outputs.at(0);
        EXPECT_EQ(count_bit_differences(got, want), 0) << c_shape.size() << "-d C, alpha " << alpha << ", " << threads;
      }
    }
}

// Each job of a batched MatMul holds its B matrix transposed, [n, k, 1, 1], broadcast
// batch dims included.
TEST(GemmHost, BatchedMatmulJobsHoldEachBMatrixTransposed) {
  const PeFaults none;
  FastEngine engine(preset("small"), none);
  ArrayRunner runner(engine, true);
  Rng rng(22);
  const Tensor a = random_tensor({2, 3, 5, 4}, rng), b = random_tensor({3, 4, 6}, rng);  // b broadcast over dim 0
  runner.matmul("mm", a, b);
  ASSERT_EQ(runner.jobs().size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    const Tensor& w = runner.jobs()[i].weights;
    ASSERT_EQ(w.shape(), (std::vector<int>{6, 4, 1, 1}));
    const std::size_t matrix = i % 3;
    for (int r = 0; r < 4; ++r)
      for (int col = 0; col < 6; ++col)
        EXPECT_EQ(float_bits(w[static_cast<std::size_t>(col) * 4 + r]), float_bits(b[(matrix * 4 + r) * 6 + col]))
            << "job " << i << " [" << col << ", " << r << "]";
  }
}

}  // namespace
}  // namespace accsim
