// The DLRM-style model: MLP layers on the array agree with a host reference and between
// engines, sparse features pool the rows of their table's slice, parameters are named
// for fault targets, and the synthetic inputs have the configured statistics.
#include "workloads/dlrm/dlrm.h"

#include <gtest/gtest.h>

#include <cmath>

#include "faultmodels/parameter_injection.h"
#include "test_util.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

DlrmConfig small_model() {
  DlrmConfig c;
  c.dense_dim = 20;
  c.sparse_dim = 300;
  c.tables = 2;
  c.embedding_dim = 6;
  c.bottom_mlp = {12, 9};
  c.top_mlp = {10, 2};
  return c;
}

// y = x W^T + b in double, on the host.
Tensor host_linear(const Tensor& x, const Tensor& w, const Tensor& b, bool relu) {
  const int n = x.dim(0), c = x.dim(1), k = w.dim(0);
  Tensor y({n, k});
  for (int s = 0; s < n; ++s)
    for (int o = 0; o < k; ++o) {
      double acc = b[static_cast<std::size_t>(o)];
      for (int i = 0; i < c; ++i)
        acc += static_cast<double>(x[static_cast<std::size_t>(s * c + i)]) * w[static_cast<std::size_t>(o * c + i)];
      y[static_cast<std::size_t>(s * k + o)] = relu && acc < 0 ? 0.0f : static_cast<float>(acc);
    }
  return y;
}

TEST(Dlrm, ForwardPassOnTheArrayMatchesAHostReference) {
  const DlrmConfig c = small_model();
  const DlrmParameters p = init_dlrm_parameters(c, 5);
  const DlrmBatch batch = synthetic_dlrm_batch(c, 7, 0.05, 6);
  const PeFaults none;
  const DlrmRun run = run_dlrm(c, p, batch, *make_engine("fast", testing::preset("small"), none));
  Tensor x = batch.dense;
  for (std::size_t i = 0; i < c.bottom_mlp.size(); ++i) x = host_linear(x, p.bottom_weights[i], p.bottom_biases[i], true);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(run.bottom[i], x[i], 1e-5);
  const Tensor pooled = dlrm_pool_embeddings(c, p, batch);
  Tensor cat({7, c.concat_dim()});
  for (int s = 0; s < 7; ++s)
    for (int i = 0; i < c.concat_dim(); ++i)
      cat[static_cast<std::size_t>(s * c.concat_dim() + i)] =
          i < 9 ? x[static_cast<std::size_t>(s * 9 + i)] : pooled[static_cast<std::size_t>(s * 12 + i - 9)];
  Tensor y = host_linear(cat, p.top_weights[0], p.top_biases[0], true);
  y = host_linear(y, p.top_weights[1], p.top_biases[1], false);
  ASSERT_EQ(run.output.shape(), (std::vector<int>{7, 2}));
  for (std::size_t i = 0; i < y.size(); ++i) {
    EXPECT_NEAR(run.output[i], 1.0 / (1.0 + std::exp(-static_cast<double>(y[i]))), 1e-5);
    EXPECT_TRUE(run.output[i] > 0.0f && run.output[i] < 1.0f);
  }
  EXPECT_GT(run.cycles, 0);
}

TEST(Dlrm, FastAndCycleEnginesGiveTheSameOutputBitsAndCycles) {
  const DlrmConfig c = small_model();
  const DlrmParameters p = init_dlrm_parameters(c, 8);
  const DlrmBatch batch = synthetic_dlrm_batch(c, 5, 0.05, 9);
  const ArrayConfig a = testing::preset("small");
  const PeFaults none;
  const DlrmRun fast = run_dlrm(c, p, batch, *make_engine("fast", a, none));
  const DlrmRun cycle = run_dlrm(c, p, batch, *make_engine("cycle", a, none));
  EXPECT_EQ(testing::count_bit_differences(fast.output, cycle.output), 0);
  EXPECT_EQ(fast.cycles, cycle.cycles);
}

TEST(Dlrm, SparseFeaturesSumTheRowsOfTheirTablesSlice) {
  DlrmConfig c;
  c.sparse_dim = 10;
  c.tables = 3;  // slices [0, 3), [3, 6), [6, 10)
  c.embedding_dim = 2;
  EXPECT_EQ(c.table_rows(0), 3);
  EXPECT_EQ(c.table_rows(2), 4);
  DlrmParameters p = zero_dlrm_parameters(c);
  for (int t = 0; t < 3; ++t)
    for (std::size_t i = 0; i < p.tables[static_cast<std::size_t>(t)].size(); ++i)
      p.tables[static_cast<std::size_t>(t)][i] = static_cast<float>(100 * t + i);  // row r: (100t + 2r, 100t + 2r + 1)
  DlrmBatch b;
  b.dense = Tensor({2, c.dense_dim});
  b.sparse = {{1, 2, 7, 9}, {}};
  const Tensor pooled = dlrm_pool_embeddings(c, p, b);
  ASSERT_EQ(pooled.shape(), (std::vector<int>{2, 6}));
  // sample 0: table 0 rows 1 and 2; table 1 nothing; table 2 rows 1 and 3.
  const std::vector<float> want = {2 + 4, 3 + 5, 0, 0, 202 + 206, 203 + 207};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(pooled[static_cast<std::size_t>(i)], want[static_cast<std::size_t>(i)]) << i;
  for (int i = 6; i < 12; ++i) EXPECT_EQ(pooled[static_cast<std::size_t>(i)], 0.0f);
}

TEST(Dlrm, RepoolingOnlyTheCorruptedTableEqualsAFullPooling) {
  const DlrmConfig c = small_model();
  DlrmParameters p = init_dlrm_parameters(c, 12);
  const DlrmBatch batch = synthetic_dlrm_batch(c, 40, 0.1, 13);
  Tensor pooled = dlrm_pool_embeddings(c, p, batch);
  ParameterSet set = dlrm_parameter_set(c, p);
  ParameterTarget t;
  t.tensors = {"embedding.1"};
  ParameterFaultModel m;
  m.kind = ParameterFaultKind::mbf;
  m.count = 200;
  const Injection inj = inject(set, resolve(t, set), m, 1);
  dlrm_pool_tables(c, p, batch, {1}, pooled);
  EXPECT_EQ(testing::count_bit_differences(pooled, dlrm_pool_embeddings(c, p, batch)), 0);
  inj.undo(set);
}

TEST(Dlrm, ParametersAreNamedForFaultTargetsAndCoverEveryParameter) {
  const DlrmConfig c = small_model();
  DlrmParameters p = init_dlrm_parameters(c, 1);
  const ParameterSet set = dlrm_parameter_set(c, p);
  EXPECT_EQ(set.names(), (std::vector<std::string>{"mlp.bottom.0.weight", "mlp.bottom.0.bias", "mlp.bottom.1.weight",
                                                   "mlp.bottom.1.bias", "embedding.0.weight", "embedding.1.weight",
                                                   "mlp.top.0.weight", "mlp.top.0.bias", "mlp.top.1.weight",
                                                   "mlp.top.1.bias"}));
  EXPECT_EQ(set.parameter_count(), p.count());
  EXPECT_EQ(p.count(), 20u * 12 + 12 + 12 * 9 + 9 + 300 * 6 + 21 * 10 + 10 + 10 * 2 + 2);
  // Uniform initialisation within the documented bounds.
  for (float v : p.top_weights[0].values()) EXPECT_LE(std::fabs(v), 1.0f / std::sqrt(21.0f));
  for (float v : p.tables[0].values()) EXPECT_LE(std::fabs(v), std::sqrt(1.0f / 150.0f));
}

TEST(Dlrm, SyntheticInputsHaveTheConfiguredSparsityAndStandardNormalDenseFeatures) {
  DlrmConfig c;  // dense 128, sparse 8192
  const DlrmBatch b = synthetic_dlrm_batch(c, 200, 0.01, 3);
  double active = 0;
  for (const auto& s : b.sparse) {
    active += static_cast<double>(s.size());
    for (std::size_t i = 1; i < s.size(); ++i) ASSERT_LT(s[i - 1], s[i]);
    for (int f : s) ASSERT_TRUE(f >= 0 && f < 8192);
  }
  const double n = 200.0 * 8192, p = 0.01;  // Binomial(n, p) active features: 99.9% bounds
  EXPECT_NEAR(active, n * p, 3.29 * std::sqrt(n * p * (1 - p)));
  double sum = 0, sq = 0;
  for (float v : b.dense.values()) {
    sum += v;
    sq += static_cast<double>(v) * v;
  }
  const double m = static_cast<double>(b.dense.size());
  EXPECT_NEAR(sum / m, 0.0, 3.29 / std::sqrt(m));
  EXPECT_NEAR(sq / m, 1.0, 3.29 * std::sqrt(2.0 / m));
  EXPECT_EQ(synthetic_dlrm_batch(c, 200, 0.01, 3).sparse, b.sparse);
}

}  // namespace
}  // namespace accsim
