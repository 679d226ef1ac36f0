// scan_values and any_nonfinite against a word-by-word walk: bits, not values, are
// compared (-0 differs from +0, a NaN equals itself), and only the faulty value's NaN/Inf
// count.
#include "workloads/models/value_scan.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "arch/number_format.h"
#include "arch/random.h"

namespace accsim {
namespace {

ValueScan walk(const Tensor& f, const Tensor& g) {
  ValueScan s;
  for (std::size_t i = 0; i < f.size(); ++i) {
    s.differences += float_bits(f[i]) != float_bits(g[i]);
    s.nonfinite = s.nonfinite || !std::isfinite(f[i]);
  }
  return s;
}

// n words with about one in `every` of the faulty ones changed, the changes including
// -0, NaN and Inf when `specials`.
std::pair<Tensor, Tensor> pair_of(int n, int every, bool specials, Rng& rng) {
  Tensor g({n}), f({n});
  for (int i = 0; i < n; ++i) g[i] = f[i] = rng.uniform01() - 0.5f;
  const float odd[] = {-0.0f, std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(), 1e30f};
  for (int i = 0; i < n; ++i)
    if (rng.uniform01() * every < 1.0f) f[i] = specials ? odd[i % 4] : f[i] + 1.0f;
  return {f, g};
}

TEST(ValueScan, CountsDifferingWordsAndNonfiniteLikeAWalk) {
  Rng rng(7);
  for (int n : {0, 1, 7, 8, 9, 31, 33, 1000, 4099})
    for (int every : {1, 3, 50})
      for (bool specials : {false, true}) {
        const auto [f, g] = pair_of(n, every, specials, rng);
        const ValueScan s = scan_values(f, g), w = walk(f, g);
        EXPECT_EQ(s.differences, w.differences) << n << " " << every << " " << specials;
        EXPECT_EQ(s.nonfinite, w.nonfinite) << n << " " << every << " " << specials;
        EXPECT_EQ(any_nonfinite(f.data(), f.size()), w.nonfinite) << n << " " << every << " " << specials;
      }
}

TEST(ValueScan, BitsNotValues) {
  Tensor g({3}), f({3});
  g[0] = 0.0f, f[0] = -0.0f;                                               // equal values, other bits
  g[1] = f[1] = std::numeric_limits<float>::quiet_NaN();                   // the same NaN
  g[2] = std::numeric_limits<float>::infinity(), f[2] = 1.0f;              // only the record is Inf
  EXPECT_EQ(scan_values(f, g).differences, 2);
  EXPECT_TRUE(scan_values(f, g).nonfinite);                                // f[1] is NaN
  f[1] = 2.0f;
  EXPECT_FALSE(scan_values(f, g).nonfinite);
  EXPECT_EQ(scan_values(f, g).differences, 3);
}

}  // namespace
}  // namespace accsim

namespace accsim {
namespace {

// keeps_finite names the operators that only select or move values; arithmetic can
// overflow finite values into infinities, and a padded MaxPool can take -inf padding.
TEST(ValueScan, OnlySelectionsAndMovesKeepValuesFinite) {
  const auto node = [](const std::string& op, std::vector<long long> pads = {}) {
    Node n{"n", op, {"x"}, {"y"}, {}};
    if (!pads.empty()) n.attributes["pads"] = std::move(pads);
    return n;
  };
  for (const std::string op : {"Relu", "Flatten", "Reshape", "Identity"}) EXPECT_TRUE(keeps_finite(node(op))) << op;
  EXPECT_TRUE(keeps_finite(node("MaxPool")));
  EXPECT_TRUE(keeps_finite(node("MaxPool", {0, 0, 0, 0})));
  EXPECT_FALSE(keeps_finite(node("MaxPool", {0, 1, 0, 1})));
  for (const std::string op : {"Add", "Sub", "Mul", "Div", "Exp", "Pow", "Sqrt", "Softmax", "AveragePool",
                               "GlobalAveragePool", "ReduceMean", "ReduceSum", "MatMul", "Gemm", "Conv", "Clip",
                               "LeakyRelu", "Sigmoid", "Tanh", "Erf", "BatchNormalization", "Concat"})
    EXPECT_FALSE(keeps_finite(node(op))) << op;
}

}  // namespace
}  // namespace accsim
