// ReduceSum against a naive reference that enumerates each output's inputs by index and
// adds them in fp32 in ascending order; the order is the kernel's contract (reduce_sum.h).
// The operator's load-time check rejects bad axes.
#include "kernels/reduce_sum.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "test_util.h"
#include "workloads/models/operators.h"

namespace accsim {
namespace {

using testing::random_tensor;
using testing::unflatten;

Tensor make(std::vector<int> shape, std::vector<float> v) {
  Tensor t(std::move(shape));
  t.values().assign(v.begin(), v.end());
  return t;
}

// out[o] = ((0 + x[first]) + x[second]) + ..., over the inputs that map to o, by flat index.
Tensor naive_sum(const Tensor& x, unsigned mask, const std::vector<int>& out_shape) {
  Tensor y(out_shape);
  for (std::size_t o = 0; o < y.size(); ++o) {
    const auto oi = unflatten(o, out_shape);
    float acc = 0.0f;
    for (std::size_t f = 0; f < x.size(); ++f) {
      const auto xi = unflatten(f, x.shape());
      bool match = true;
      for (std::size_t a = 0; a < xi.size(); ++a) match = match && ((mask >> a & 1) || xi[a] == oi[a]);
      if (match) acc += x[f];
    }
    y[o] = acc;
  }
  return y;
}

TEST(ReduceSum, HandComputed) {
  const Tensor x = make({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(reduce_sum(x, {1}, false).values(), (std::vector<float>{6, 15}));
  EXPECT_EQ(reduce_sum(x, {-1}, true).shape(), (std::vector<int>{2, 1}));
  EXPECT_EQ(reduce_sum(x, {0}, false).values(), (std::vector<float>{5, 7, 9}));
  const Tensor all = reduce_sum(x, {}, false);
  EXPECT_EQ(all.rank(), 0u);
  EXPECT_EQ(all[0], 21.0f);
  EXPECT_THROW(reduce_sum(x, {1, -1}, false), std::invalid_argument);
  EXPECT_THROW(reduce_sum(x, {2}, false), std::invalid_argument);
}

// fp32 in index order: 1e8 + 1 rounds back to 1e8, so the 1 is lost (a double sum keeps it);
// a +0 start turns a lone -0 into +0, and NaN/Inf pass through.
TEST(ReduceSum, AddsInFloatInIndexOrderFromPlusZero) {
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor x = make({4, 3}, {1e8f, -0.0f, 1, 1, -0.0f, inf, -1e8f, -0.0f, 2, 0, -0.0f, std::nanf("")});
  const Tensor y = reduce_sum(x, {0}, false);
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_FALSE(std::signbit(y[1]));
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_EQ(reduce_sum(make({3}, {1e8f, 1, -1e8f}), {}, false)[0], 0.0f);
}

TEST(ReduceSum, RandomAxesMatchTheNaiveReferenceBitForBit) {
  Rng rng(977);
  const Tensor x = random_tensor({3, 4, 2, 5}, rng, -100.0f, 100.0f);
  for (unsigned mask = 1; mask < 16; ++mask) {
    std::vector<int> axes, kept = x.shape();
    for (int a = 0; a < 4; ++a)
      if (mask >> a & 1) axes.push_back(a % 2 ? a - 4 : a), kept[static_cast<std::size_t>(a)] = 1;
    const Tensor y = reduce_sum(x, axes, true);
    ASSERT_EQ(y.shape(), kept);
    const Tensor want = naive_sum(x, mask, kept);
    EXPECT_EQ(std::memcmp(y.data(), want.data(), y.size() * sizeof(float)), 0) << "mask " << mask;
    EXPECT_EQ(reduce_sum(x, axes, false).values(), y.values());
  }
}

Graph one_reduce_sum(std::vector<long long> axes, long long noop = 0) {
  Graph g;
  g.inputs.push_back({"x", {2, 3, 4}});
  g.shapes["x"] = {2, 3, 4};
  g.int_constants["axes"] = IntTensor{{static_cast<int>(axes.size())}, axes};
  Node n;
  n.name = "sum";
  n.op = "ReduceSum";
  n.inputs = {"x", "axes"};
  n.outputs = {"y"};
  n.attributes["noop_with_empty_axes"] = noop;
  g.nodes.push_back(n);
  return g;
}

TEST(ReduceSum, LoadTimeCheckRejectsBadAxes) {
  const OperatorDef* def = find_operator("ReduceSum");
  ASSERT_NE(def, nullptr);
  const auto check = [&](const Graph& g) { def->check(g.nodes[0], g); };
  EXPECT_NO_THROW(check(one_reduce_sum({1, -1})));
  EXPECT_THROW(check(one_reduce_sum({3})), std::invalid_argument);
  EXPECT_THROW(check(one_reduce_sum({-4})), std::invalid_argument);
  EXPECT_THROW(check(one_reduce_sum({1, -2})), std::invalid_argument);  // the same axis twice
  EXPECT_THROW(check(one_reduce_sum({}, 2)), std::invalid_argument);
  Graph computed = one_reduce_sum({1});
  computed.int_constants.clear();  // axes computed from data: not supported
  EXPECT_THROW(check(computed), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
