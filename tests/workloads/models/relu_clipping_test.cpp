// Activation clipping on a graph: every Relu node runs clipped_relu with the clip given
// (NaN and +Inf to the threshold or to 0), ClipMode::none restores the plain ReLU, and
// the operator table refuses clipping attributes it cannot honour.
#include "workloads/models/relu_clipping.h"

#include <gtest/gtest.h>

#include <cmath>

#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/operators.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

Graph relu_graph() {
  Graph g;
  g.name = "relu";
  g.inputs.push_back({"x", {1, 6}});
  g.shapes["x"] = g.shapes["y"] = {1, 6};
  Node relu;
  relu.name = relu.op = "Relu";
  relu.inputs = {"x"};
  relu.outputs = {"y"};
  g.nodes.push_back(relu);
  g.outputs = {"y"};
  return g;
}

std::vector<float> run(const Graph& g) {
  Tensor x({1, 6});
  x.values() = {-1.0f, 0.5f, 3.0f, NAN, INFINITY, -0.0f};
  const PeFaults none;
  FastEngine engine(testing::preset("small"), none);
  return run_graph(g, x, engine, false).outputs.at(0).values();
}

void expect_bits(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(testing::same_bits(got[i], want[i])) << i << ": " << got[i];
}

TEST(ReluClipping, EveryReluClipsAsClippedReluAndNoneRestoresThePlainRelu) {
  Graph g = relu_graph();
  expect_bits(run(g), {0.0f, 0.5f, 3.0f, NAN, INFINITY, -0.0f});
  clip_relus(g, {ClipMode::saturate, 2.0f});
  expect_bits(run(g), {0.0f, 0.5f, 2.0f, 2.0f, 2.0f, 0.0f});
  clip_relus(g, {ClipMode::zero, 2.0f});
  expect_bits(run(g), {0.0f, 0.5f, 0.0f, 0.0f, 0.0f, 0.0f});
  clip_relus(g, {});
  EXPECT_TRUE(g.nodes[0].attributes.empty());
  expect_bits(run(g), {0.0f, 0.5f, 3.0f, NAN, INFINITY, -0.0f});
}

TEST(ReluClipping, TheOperatorTableRefusesAnUnknownModeOrAThresholdNotAbove0) {
  Graph g = relu_graph();
  const OperatorDef* relu = find_operator("Relu");
  ASSERT_NE(relu, nullptr);
  g.nodes[0].attributes[kClipModeAttribute] = std::string("half");
  EXPECT_THROW(relu->check(g.nodes[0], g), std::invalid_argument);
  g.nodes[0].attributes[kClipModeAttribute] = std::string("zero");
  g.nodes[0].attributes[kClipThresholdAttribute] = 0.0f;
  EXPECT_THROW(relu->check(g.nodes[0], g), std::invalid_argument);
  g.nodes[0].attributes[kClipThresholdAttribute] = 1.0f;
  EXPECT_NO_THROW(relu->check(g.nodes[0], g));
}

}  // namespace
}  // namespace accsim
