// Which Conv nodes PDP pools on the fly (workloads/models/pdp_fusion): through SDP's
// single-consumer element-wise chain to a pooling node, and the graph runner's jobs carry
// the window on both engines (fewer DRAM bytes written, same cycles on both).
#include "workloads/models/pdp_fusion.h"

#include <gtest/gtest.h>

#include "arch/memory_config.h"
#include "test_util.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/network_graph.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using Ints = std::vector<long long>;

// x [1, 4, 9, 9] -> Conv 3x3 (8 channels, 7x7) -> `chain` -> pool; `pool` the pooling node.
Graph conv_chain(const std::vector<Node>& chain, const Node& pool) {
  Graph g;
  g.name = "chain";
  g.inputs = {{"x", {1, 4, 9, 9}}};
  g.initializers.emplace("w", Tensor({8, 4, 3, 3}));
  g.initializers.emplace("b", Tensor({8, 1, 1}));
  Node conv;
  conv.name = "conv", conv.op = "Conv", conv.inputs = {"x", "w"}, conv.outputs = {"y"};
  g.nodes = {conv};
  g.shapes = {{"x", {1, 4, 9, 9}}, {"y", {1, 8, 7, 7}}};
  for (const Node& n : chain) {
    g.nodes.push_back(n);
    g.shapes[n.outputs[0]] = {1, 8, 7, 7};
  }
  g.nodes.push_back(pool);
  g.outputs = {pool.outputs[0]};
  return g;
}

Node node(const std::string& op, std::vector<std::string> in, const std::string& out) {
  Node n;
  n.name = out, n.op = op, n.inputs = std::move(in), n.outputs = {out};
  return n;
}

Node max_pool(const std::string& in, Ints kernel, Ints strides, Ints pads, bool ceil_mode) {
  Node n = node("MaxPool", {in}, "pooled");
  n.attributes["kernel_shape"] = kernel, n.attributes["strides"] = strides, n.attributes["pads"] = pads;
  n.attributes["ceil_mode"] = static_cast<long long>(ceil_mode);
  return n;
}

// Each thread remembers a pooling node's window: a node edited in place (the same
// address) gives its new window, never the remembered one.
TEST(PdpFusion, APoolingNodeEditedInPlaceGivesItsNewWindow) {
  Graph g = conv_chain({node("Relu", {"y"}, "r")}, max_pool("r", {3, 3}, {2, 2}, {1, 1, 1, 1}, true));
  Node& pool = g.nodes.back();
  EXPECT_EQ(fused_pool(g, g.nodes[0]).kernel_h, 3);
  EXPECT_EQ(fused_pool(g, g.nodes[0]).kernel_h, 3);  // remembered
  pool.attributes["kernel_shape"] = Ints{2, 2};
  pool.attributes["pads"] = Ints{0, 0, 0, 0};
  const PdpWindow two = fused_pool(g, g.nodes[0]);
  EXPECT_EQ(two.kernel_h, 2);
  EXPECT_EQ(two.pad_top, 0);
  EXPECT_EQ(two.out_h, 4);  // ceil((7 - 2) / 2) + 1
  pool.attributes["ceil_mode"] = 0LL;
  EXPECT_EQ(fused_pool(g, g.nodes[0]).out_h, 3);
  pool.op = "GlobalAveragePool";
  EXPECT_EQ(fused_pool(g, g.nodes[0]).kernel_h, 7);
}

TEST(PdpFusion, PoolReachedThroughBiasBatchNormAndReluIsFused) {
  const Graph g = conv_chain({node("Add", {"y", "b"}, "biased"), node("Relu", {"biased"}, "r")},
                             max_pool("r", {3, 3}, {2, 2}, {1, 1, 1, 1}, true));
  const PdpWindow w = fused_pool(g, g.nodes[0]);
  ASSERT_TRUE(w.enabled());
  EXPECT_EQ(w.kernel_h, 3);
  EXPECT_EQ(w.stride_w, 2);
  EXPECT_EQ(w.pad_top, 1);
  EXPECT_EQ(w.out_h, 4);  // ceil((7 + 2 - 3) / 2) + 1
  EXPECT_EQ(w.out_w, 4);
}

TEST(PdpFusion, FeatureMapOperandsSharedValuesAndOtherOpsStopTheChain) {
  // Add of two feature maps (a residual): SDP's element-wise path reads memory, not fused here.
  Graph residual = conv_chain({node("Add", {"y", "y"}, "sum")}, max_pool("sum", {2, 2}, {2, 2}, {0, 0, 0, 0}, false));
  EXPECT_FALSE(fused_pool(residual, residual.nodes[0]).enabled());
  // The ReLU's output is also a graph output: it must be written back whole.
  Graph shared = conv_chain({node("Relu", {"y"}, "r")}, max_pool("r", {2, 2}, {2, 2}, {0, 0, 0, 0}, false));
  shared.outputs.push_back("r");
  EXPECT_FALSE(fused_pool(shared, shared.nodes[0]).enabled());
  Graph other = conv_chain({node("Softmax", {"y"}, "s")}, max_pool("s", {2, 2}, {2, 2}, {0, 0, 0, 0}, false));
  EXPECT_FALSE(fused_pool(other, other.nodes[0]).enabled());
  Graph direct = conv_chain({}, max_pool("y", {2, 2}, {2, 2}, {0, 0, 0, 0}, false));
  EXPECT_EQ(fused_pool(direct, direct.nodes[0]), square_pdp_window(7, 7, 2, 2));
}

TEST(PdpFusion, GlobalAveragePoolTakesTheWholeMap) {
  const Graph g = conv_chain({}, node("GlobalAveragePool", {"y"}, "pooled"));
  const PdpWindow w = fused_pool(g, g.nodes[0]);
  EXPECT_EQ(w.kernel_h, 7);
  EXPECT_EQ(w.kernel_w, 7);
  EXPECT_EQ(w.out_h * w.out_w, 1);
}

TEST(PdpFusion, LenetConvJobsArePooledOnTheFlyOnBothEngines) {
  const Network net = lenet5();
  const Graph g = network_graph(net, init_parameters(net, 3), 1);
  ArrayConfig a = testing::preset("small");
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  Rng rng(9);
  const Tensor x = testing::random_tensor({1, 1, 28, 28}, rng, 0.0f, 1.0f);
  const PeFaults none(a, {});
  const auto fast = make_engine("fast", a, none), cycle = make_engine("cycle", a, none);
  const GraphRun f = run_graph(g, x, *fast, true), c = run_graph(g, x, *cycle, true);
  ASSERT_EQ(f.jobs.size(), 5u);
  ASSERT_EQ(c.jobs.size(), 5u);
  EXPECT_EQ(f.jobs[0].job.pool, square_pdp_window(24, 24, 2, 2));
  EXPECT_EQ(f.jobs[1].job.pool, square_pdp_window(8, 8, 2, 2));
  EXPECT_FALSE(f.jobs[2].job.pool.enabled());
  EXPECT_EQ(f.jobs[0].timing.dram_write_bytes, 6LL * 12 * 12 * 4);
  EXPECT_EQ(f.jobs[1].timing.dram_write_bytes, 16LL * 4 * 4 * 4);
  for (std::size_t i = 0; i < f.jobs.size(); ++i) EXPECT_EQ(f.jobs[i].timing, c.jobs[i].timing) << f.jobs[i].job.layer;
  EXPECT_EQ(f.cycles, c.cycles);
}

}  // namespace
}  // namespace accsim
