// The swizzle report on a graph: per array node and policy, the weights a faulty PE meets
// and the outputs its jobs get wrong, each job alone; nodes of several jobs add them up.
#include "workloads/run/swizzle_report.h"

#include <gtest/gtest.h>

#include "test_util.h"
#include "workloads/models/network_graph.h"

namespace accsim {
namespace {

Tensor random_image(std::uint64_t seed) {
  Rng rng(seed);
  return testing::random_tensor({1, 1, 28, 28}, rng, 0.0f, 1.0f);
}

TEST(SwizzleReport, AFaultOnARowConv1NeverUsesTouchesNothingThereUnlessSwizzled) {
  const Network net = lenet5();
  const Graph graph = network_graph(net, init_parameters(net, 1), 1);
  const ArrayConfig a = testing::preset("small");
  const auto rows = swizzle_report(graph, random_image(7), a, {{FaultSite::weight, 5, 2, 30, FaultKind::stuck_at_1}});
  ASSERT_EQ(rows.size(), 4u * net.layers.size());  // none, rotate, xor, random
  for (const auto& r : rows) {
    if (r.layer == "conv1" && r.policy == SwizzlePolicy::none) {
      EXPECT_EQ(r.weights_affected, 0);  // conv1 has one input channel: only row 0 works
      EXPECT_EQ(r.outputs_affected, 0);
    }
    if (r.layer == "conv2" && r.policy == SwizzlePolicy::none) {
      EXPECT_EQ(r.weights_affected, 2 * 25);   // oc 2 and 10, ic 5
      EXPECT_EQ(r.outputs_affected, 2 * 64);   // every pixel of both channels
    }
    EXPECT_LE(r.weights_affected, r.weights_total);
  }
}

// A grouped conv of 2 groups runs 2 jobs: its row counts both jobs' weights and outputs.
TEST(SwizzleReport, ANodeOfSeveralJobsAddsThemUp) {
  Graph g;
  g.name = "grouped";
  g.inputs.push_back({"x", {1, 4, 6, 6}});
  g.shapes["x"] = {1, 4, 6, 6};
  Rng rng(3);
  g.initializers["w"] = testing::random_tensor({6, 2, 3, 3}, rng);
  g.shapes["w"] = {6, 2, 3, 3};
  Node conv;
  conv.name = "conv";
  conv.op = "Conv";
  conv.inputs = {"x", "w"};
  conv.outputs = {"y"};
  conv.attributes["group"] = 2LL;
  g.nodes.push_back(conv);
  g.shapes["y"] = {1, 6, 4, 4};
  g.outputs = {"y"};
  ArrayConfig a = testing::preset("small");
  // Column 1 of every group's jobs: output channels 1 and 4 (each group's second).
  const auto rows = swizzle_report(g, testing::random_tensor({1, 4, 6, 6}, rng), a,
                                   {{FaultSite::psum, 0, 1, 30, FaultKind::stuck_at_1}});
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].layer, "conv");
  EXPECT_EQ(rows[0].weights_total, 6 * 2 * 9);
  EXPECT_EQ(rows[0].outputs_total, 6 * 16);
  EXPECT_EQ(rows[0].outputs_affected, 2 * 16);
}

}  // namespace
}  // namespace accsim
