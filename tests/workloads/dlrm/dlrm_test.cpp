// The DLRM-style model as a graph (dlrm_graph.h): it agrees with an independent naive
// reference of the model, pools each bag bit-for-bit as the fp32 loop in ascending feature
// order, runs its MLPs as today's array jobs (names, pinned swizzle seeds), is
// bit-identical between engines and between a full run and an incremental rerun after a
// corruption; parameters are named for fault targets in the model's order, and the
// synthetic inputs have the configured statistics.
#include "workloads/dlrm/dlrm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <limits>

#include "faultmodels/parameter_injection.h"
#include "test_util.h"
#include "workloads/dlrm/dlrm_graph.h"
#include "workloads/dlrm/parameters_in_use_order.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/incremental_run.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

const PeFaults kNone;  // engines keep a reference to their faults

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

GraphRun run(const Graph& g, const DlrmBatch& batch, const std::string& engine = "fast") {
  return run_graph(g, batch.dense, *make_engine(engine, testing::preset("small"), kNone), true);
}

// The naive reference, in double, straight from the parameters: rows[s][i] = x W^T + b.
using Rows = std::vector<std::vector<double>>;
Rows linear(const Rows& x, const Tensor& w, const Tensor& b, bool relu) {
  const int k = w.dim(0), c = w.dim(1);
  Rows y(x.size(), std::vector<double>(static_cast<std::size_t>(k)));
  for (std::size_t s = 0; s < x.size(); ++s)
    for (int o = 0; o < k; ++o) {
      double acc = b[static_cast<std::size_t>(o)];
      for (int i = 0; i < c; ++i) acc += x[s][static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(o * c + i)];
      y[s][static_cast<std::size_t>(o)] = relu && acc < 0 ? 0.0 : acc;
    }
  return y;
}

Rows naive_dlrm(const DlrmConfig& c, const DlrmParameters& p, const DlrmBatch& batch) {
  const int n = batch.size();
  Rows x(static_cast<std::size_t>(n));
  for (int s = 0; s < n; ++s)
    for (int i = 0; i < c.dense_dim; ++i) x[static_cast<std::size_t>(s)].push_back(batch.dense[static_cast<std::size_t>(s * c.dense_dim + i)]);
  for (std::size_t i = 0; i < p.bottom_weights.size(); ++i) x = linear(x, p.bottom_weights[i], p.bottom_biases[i], true);
  for (int s = 0; s < n; ++s)  // append every table's bag sum
    for (int t = 0; t < c.tables; ++t) {
      std::vector<double> sum(static_cast<std::size_t>(c.embedding_dim), 0.0);
      for (int f : batch.sparse[static_cast<std::size_t>(s)]) {
        if (f < c.table_first(t) || f >= c.table_first(t + 1)) continue;
        for (int e = 0; e < c.embedding_dim; ++e)
          sum[static_cast<std::size_t>(e)] += p.tables[static_cast<std::size_t>(t)][static_cast<std::size_t>((f - c.table_first(t)) * c.embedding_dim + e)];
      }
      x[static_cast<std::size_t>(s)].insert(x[static_cast<std::size_t>(s)].end(), sum.begin(), sum.end());
    }
  for (std::size_t i = 0; i < p.top_weights.size(); ++i)
    x = linear(x, p.top_weights[i], p.top_biases[i], i + 1 < p.top_weights.size());
  for (auto& row : x)
    for (double& v : row) v = 1.0 / (1.0 + std::exp(-v));
  return x;
}

TEST(DlrmGraph, MatchesANaiveReferenceOfTheModel) {
  const DlrmConfig c = small_model();
  const DlrmParameters p = init_dlrm_parameters(c, 5);
  const DlrmBatch batch = synthetic_dlrm_batch(c, 7, 0.05, 6);
  const GraphRun r = run(dlrm_graph(c, p, batch), batch);
  const Rows want = naive_dlrm(c, p, batch);
  const Tensor& y = r.outputs.at(0);
  ASSERT_EQ(y.shape(), (std::vector<int>{7, 2}));
  for (int s = 0; s < 7; ++s)
    for (int o = 0; o < 2; ++o) {
      const float v = y[static_cast<std::size_t>(s * 2 + o)];
      EXPECT_NEAR(v, want[static_cast<std::size_t>(s)][static_cast<std::size_t>(o)], 1e-5) << s << "," << o;
      EXPECT_TRUE(v > 0.0f && v < 1.0f);
    }
  EXPECT_GT(r.cycles, 0);
}

// The bag's sum is the fp32 loop `out = 0; out += row` over the active rows in ascending
// order: the bits the model's own code produced before it became a graph.
TEST(DlrmGraph, PoolsEachBagAsTheFloatLoopInAscendingOrder) {
  const DlrmConfig c = small_model();
  const DlrmParameters p = init_dlrm_parameters(c, 12);
  const DlrmBatch batch = synthetic_dlrm_batch(c, 40, 0.1, 13);
  const GraphRun r = run(dlrm_graph(c, p, batch), batch);
  for (int t = 0; t < c.tables; ++t) {
    const Tensor& pooled = r.values.at("embedding." + std::to_string(t) + ".pool");
    ASSERT_EQ(pooled.shape(), (std::vector<int>{40, c.embedding_dim}));
    for (int s = 0; s < 40; ++s)
      for (int e = 0; e < c.embedding_dim; ++e) {
        float acc = 0.0f;
        for (int f : batch.sparse[static_cast<std::size_t>(s)])
          if (f >= c.table_first(t) && f < c.table_first(t + 1))
            acc += p.tables[static_cast<std::size_t>(t)][static_cast<std::size_t>((f - c.table_first(t)) * c.embedding_dim + e)];
        const float got = pooled[static_cast<std::size_t>(s * c.embedding_dim + e)];
        ASSERT_EQ(std::memcmp(&got, &acc, sizeof acc), 0) << "table " << t << " sample " << s << " dim " << e;
      }
  }
}

TEST(DlrmGraph, SparseFeaturesSumTheRowsOfTheirTablesSlice) {
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
  const Graph g = dlrm_graph(c, p, b);
  EXPECT_EQ(g.int_constants.at("sparse.0").values, (std::vector<long long>{1, 2, 3, 3}));  // 3: the zero row
  EXPECT_EQ(g.int_constants.at("sparse.1").shape, (std::vector<int>{2, 1}));  // no bag: one padding slot
  const GraphRun r = run(g, b);
  // sample 0: table 0 rows 1 and 2; table 1 nothing; table 2 rows 1 and 3; sample 1: nothing.
  const std::vector<std::vector<float>> want = {{2 + 4, 3 + 5, 0, 0}, {0, 0, 0, 0}, {202 + 206, 203 + 207, 0, 0}};
  for (int t = 0; t < 3; ++t)
    EXPECT_EQ(r.values.at("embedding." + std::to_string(t) + ".pool").values(), want[static_cast<std::size_t>(t)]) << t;
}

TEST(DlrmGraph, MlpsRunAsArrayJobsNamedAfterTheirLayersWithPinnedSwizzleSeeds) {
  const DlrmConfig c = small_model();
  const DlrmBatch batch = synthetic_dlrm_batch(c, 3, 0.05, 2);
  const GraphRun r = run(dlrm_graph(c, init_dlrm_parameters(c, 1), batch), batch);
  const std::vector<std::string> names = {"mlp.bottom.0", "mlp.bottom.1", "mlp.top.0", "mlp.top.1"};
  ASSERT_EQ(r.jobs.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(r.jobs[i].job.layer, names[i]);
    EXPECT_EQ(r.jobs[i].job.kind, JobKind::forward_fc);
    EXPECT_EQ(r.jobs[i].job.swizzle_seed, i);
    EXPECT_EQ(r.jobs[i].job.shape.n, 3);
  }
  EXPECT_EQ(r.jobs[2].job.shape.c, c.concat_dim());
}

TEST(DlrmGraph, FastAndCycleEnginesGiveTheSameOutputBitsAndCycles) {
  const DlrmConfig c = small_model();
  const DlrmBatch batch = synthetic_dlrm_batch(c, 5, 0.05, 9);
  const Graph g = dlrm_graph(c, init_dlrm_parameters(c, 8), batch);
  const GraphRun fast = run(g, batch, "fast"), cycle = run(g, batch, "cycle");
  EXPECT_EQ(testing::count_bit_differences(fast.outputs.at(0), cycle.outputs.at(0)), 0);
  EXPECT_EQ(fast.cycles, cycle.cycles);
}

// A corrupted table reruns only what it reaches, bit-identical to a full run; a NaN in a
// row no sample uses changes nothing (the padding slots read the appended zero row).
TEST(DlrmGraph, IncrementalRerunAfterATableCorruptionEqualsAFullRun) {
  const DlrmConfig c = small_model();
  const DlrmBatch batch = synthetic_dlrm_batch(c, 40, 0.1, 13);
  Graph g = dlrm_graph(c, init_dlrm_parameters(c, 12), batch);
  const GraphRun golden = run(g, batch);
  ParameterSet set = parameters_in_use_order(g);
  ParameterTarget t;
  t.tensors = {"embedding.1"};
  ParameterFaultModel m;
  m.kind = ParameterFaultKind::mbf;
  m.count = 200;
  const Injection inj = inject(set, resolve(t, set), m, 1);
  const auto engine = make_engine("fast", testing::preset("small"), kNone);
  RerunScope scope;
  scope.changed_initializers = {"embedding.1.weight"};
  const Rerun rerun = rerun_graph(g, golden, *engine, scope);
  EXPECT_EQ(testing::count_bit_differences(rerun.outputs.at(0), run(g, batch).outputs.at(0)), 0);
  EXPECT_FALSE(rerun.changed.count("mlp.bottom.1.relu"));
  inj.undo(set);

  std::vector<bool> used(static_cast<std::size_t>(c.table_rows(0)));
  for (const auto& s : batch.sparse)
    for (int f : s)
      if (f < c.table_first(1)) used[static_cast<std::size_t>(f)] = true;
  const auto unused = std::find(used.begin(), used.end(), false) - used.begin();
  ASSERT_LT(unused, c.table_rows(0));
  g.initializers.at("embedding.0.weight")[static_cast<std::size_t>(unused * c.embedding_dim)] = std::nanf("");
  EXPECT_EQ(testing::count_bit_differences(run(g, batch).outputs.at(0), golden.outputs.at(0)), 0);
}

TEST(DlrmGraph, ParametersAreNamedForFaultTargetsInTheModelsOrder) {
  const DlrmConfig c = small_model();
  const DlrmParameters p = init_dlrm_parameters(c, 1);
  const DlrmBatch batch = synthetic_dlrm_batch(c, 2, 0.05, 1);
  Graph g = dlrm_graph(c, p, batch);
  const ParameterSet set = parameters_in_use_order(g);
  EXPECT_EQ(set.names(), (std::vector<std::string>{"mlp.bottom.0.weight", "mlp.bottom.0.bias", "mlp.bottom.1.weight",
                                                   "mlp.bottom.1.bias", "embedding.0.weight", "embedding.1.weight",
                                                   "mlp.top.0.weight", "mlp.top.0.bias", "mlp.top.1.weight",
                                                   "mlp.top.1.bias"}));
  EXPECT_EQ(set.parameter_count(), p.count());
  EXPECT_EQ(p.count(), c.parameter_count());
  EXPECT_EQ(p.count(), 20u * 12 + 12 + 12 * 9 + 9 + 300 * 6 + 21 * 10 + 10 + 10 * 2 + 2);
  // Uniform initialisation within the documented bounds.
  for (float v : p.top_weights[0].values()) EXPECT_LE(std::fabs(v), 1.0f / std::sqrt(21.0f));
  for (float v : p.tables[0].values()) EXPECT_LE(std::fabs(v), std::sqrt(1.0f / 150.0f));
}

TEST(DlrmGraph, ParametersOrABatchThatDoNotFitTheModelAreRejected) {
  const DlrmConfig c = small_model();
  DlrmParameters p = init_dlrm_parameters(c, 1);
  DlrmBatch batch = synthetic_dlrm_batch(c, 2, 0.05, 1);
  EXPECT_NO_THROW(dlrm_graph(c, p, batch));
  DlrmBatch wrong = batch;
  wrong.dense = Tensor({2, c.dense_dim + 1});
  EXPECT_THROW(dlrm_graph(c, p, wrong), std::invalid_argument);
  p.tables[1] = Tensor({3, c.embedding_dim});
  EXPECT_THROW(dlrm_graph(c, p, batch), std::invalid_argument);
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
