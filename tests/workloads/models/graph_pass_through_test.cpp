// A Reshape-like node (Reshape, Flatten, Squeeze, Unsqueeze, Identity, Dropout, Cast) takes
// its input's value over when no later node and no graph output reads it, and copies it
// otherwise; elementwise operators write into such an input: the outputs are the recorded
// run's (where nothing is consumed).
#include <gtest/gtest.h>

#include <algorithm>

#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/models/graph_runner.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

// x [2, 6]: a = Identity(x); b = Reshape(a) [3, 4] (a's last use: moved); c = Add(x, x)
// (x read after a copied it); d = Flatten(c) [2, 6]; e = Relu(c) (c read after d).
// Outputs b, d, e and a Squeeze of e kept as a graph output (f), e itself an output too.
Graph pass_through_graph() {
  Graph g;
  g.inputs = {{"x", {2, 6}}};
  g.outputs = {"b", "d", "e", "f"};
  g.nodes = {Node{"id", "Identity", {"x"}, {"a"}, {}},    Node{"reshape", "Reshape", {"a"}, {"b"}, {}},
             Node{"add", "Add", {"x", "x"}, {"c"}, {}},   Node{"flatten", "Flatten", {"c"}, {"d"}, {}},
             Node{"relu", "Relu", {"c"}, {"e"}, {}},      Node{"squeeze", "Unsqueeze", {"e"}, {"f"}, {}}};
  g.shapes = {{"x", {2, 6}}, {"a", {2, 6}}, {"b", {3, 4}}, {"c", {2, 6}}, {"d", {2, 6}}, {"e", {2, 6}}, {"f", {1, 2, 6}}};
  return g;
}

TEST(GraphPassThrough, MovedOrCopiedTheOutputsAreTheOperatorsOwn) {
  const Graph g = pass_through_graph();
  Rng rng(5);
  const Tensor x = testing::random_tensor({2, 6}, rng);
  const PeFaults none;
  FastEngine engine(testing::preset("small"), none);
  const GraphRun fast = run_graph(g, x, engine, false);
  const GraphRun recorded = run_graph(g, x, engine, true);
  ASSERT_EQ(fast.outputs.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(fast.outputs[i].shape(), recorded.outputs[i].shape()) << g.outputs[i];
    EXPECT_EQ(testing::count_bit_differences(fast.outputs[i], recorded.outputs[i]), 0) << g.outputs[i];
  }
  EXPECT_EQ(fast.outputs[0].shape(), (std::vector<int>{3, 4}));
  for (std::size_t j = 0; j < x.size(); ++j) {
    EXPECT_EQ(fast.outputs[0][j], x[j]);         // b: x's data, reshaped
    EXPECT_EQ(fast.outputs[1][j], x[j] + x[j]);  // d: c intact for the Relu after it
  }
  EXPECT_EQ(fast.values.size(), 4u);  // only the outputs are left
}

// x [2, 6], v [6]: s = Add(x, x) (x read later: new tensor); t = Mul(s, s) (s's last use,
// b aliases a: in place); u = Sub(v, t) (v broadcast to [2, 6]: new tensor); w = Relu(u)
// (in place); y = Clip(w) (in place); z = Div(x, y) (x's last use, in place); g = Gelu(s2)
// where s2 = Add(x2, v) with x2 = Neg(y) read again by the output list: not consumed;
// p = Softmax(g) and n = LayerNormalization(p, v, v) (in place).
Graph elementwise_graph() {
  Graph g;
  g.inputs = {{"x", {2, 6}}};
  g.initializers["v"] = Tensor({6}, 0.25f);
  g.outputs = {"z", "n", "x2"};
  g.nodes = {Node{"s", "Add", {"x", "x"}, {"s"}, {}},     Node{"t", "Mul", {"s", "s"}, {"t"}, {}},
             Node{"u", "Sub", {"v", "t"}, {"u"}, {}},     Node{"w", "Relu", {"u"}, {"w"}, {}},
             Node{"y", "Clip", {"w"}, {"y"}, {}},         Node{"z", "Div", {"x", "y"}, {"z"}, {}},
             Node{"x2", "Neg", {"y"}, {"x2"}, {}},        Node{"s2", "Add", {"x2", "v"}, {"s2"}, {}},
             Node{"g", "Gelu", {"s2"}, {"g"}, {}},        Node{"p", "Softmax", {"g"}, {"p"}, {}},
             Node{"n", "LayerNormalization", {"p", "v", "v"}, {"n"}, {}}};
  g.nodes[4].attributes["max"] = AttributeValue{0.5f};
  for (const char* name : {"x", "s", "t", "u", "w", "y", "z", "x2", "s2", "g", "p", "n"}) g.shapes[name] = {2, 6};
  return g;
}

TEST(GraphPassThrough, ElementwiseOperatorsWriteIntoConsumedInputsOnly) {
  const Graph g = elementwise_graph();
  Rng rng(6);
  const Tensor x = testing::random_tensor({2, 6}, rng);
  const PeFaults none;
  FastEngine engine(testing::preset("small"), none);
  const GraphRun fast = run_graph(g, x, engine, false);
  const GraphRun recorded = run_graph(g, x, engine, true);
  for (std::size_t i = 0; i < g.outputs.size(); ++i)
    EXPECT_EQ(testing::count_bit_differences(fast.outputs[i], recorded.outputs[i]), 0) << g.outputs[i];
  for (std::size_t j = 0; j < x.size(); ++j) {
    const float s = x[j] + x[j], y = std::min(std::max(0.25f - s * s, 0.0f), 0.5f);
    EXPECT_EQ(fast.outputs[0][j], x[j] / y) << j;
    EXPECT_EQ(fast.outputs[2][j], -y) << j;
  }
}

}  // namespace
}  // namespace accsim
