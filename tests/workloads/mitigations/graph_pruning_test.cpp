// Fault-aware pruning on graph models: the weights a faulty PE holds are zeroed in their
// initializers for every lowering the array runs (grouped and dilated Conv, Gemm with
// transB 0 and 1, MatMul with a parameter operand), under every swizzle policy, and
// nothing else; a MatMul between two activations has nothing to prune.
#include "workloads/mitigations/graph_pruning.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "arch/pe_faults.h"
#include "faultmodels/weight_footprint.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::OnnxBuilder;

// x [N,4,5,5] -> conv_g (group 2) -> relu -> conv_d (dilation 2) -> pool -> flatten
// -> gemm0 (B [10,12], transB 0) -> gemm1 (B [9,12], transB 1) -> matmul (B [9,16])
// -> reshape [N,4,4] -> attention (MatMul of two activations) -> y
Graph lowering_graph(const testing::TempDir& dir) {
  Rng rng(17);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(0.1f, 0.5f);  // never zero: a pruned weight shows
    return v;
  };
  OnnxBuilder b;
  b.input("x", {0, 4, 5, 5}).output("y");
  b.floats("wg", {6, 2, 3, 3}, values(108)).floats("wd", {10, 6, 3, 3}, values(540));
  b.floats("b0", {10, 12}, values(120)).floats("b1", {9, 12}, values(108)).floats("m", {9, 16}, values(144));
  b.ints("shape", {-1, 4, 4});
  auto& g = b.node("Conv", {"x", "wg"}, {"c1"}, "conv_g");
  OnnxBuilder::int_attribute(g, "group", 2);
  OnnxBuilder::ints_attribute(g, "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu");
  auto& d = b.node("Conv", {"r1", "wd"}, {"c2"}, "conv_d");
  OnnxBuilder::ints_attribute(d, "dilations", {2, 2});
  OnnxBuilder::ints_attribute(d, "pads", {2, 2, 2, 2});
  b.node("GlobalAveragePool", {"c2"}, {"p"}, "pool");
  b.node("Flatten", {"p"}, {"f"}, "flatten");
  b.node("Gemm", {"f", "b0"}, {"g0"}, "gemm0");
  OnnxBuilder::int_attribute(b.node("Gemm", {"g0", "b1"}, {"g1"}, "gemm1"), "transB", 1);
  b.node("MatMul", {"g1", "m"}, {"mm"}, "matmul");
  b.node("Reshape", {"mm", "shape"}, {"rs"}, "reshape");
  b.node("MatMul", {"rs", "rs"}, {"y"}, "attention");
  b.save(dir.file("lowering.onnx"));
  return load_onnx_model(dir.file("lowering.onnx"), 2);
}

HardwareFault stuck_at(FaultSite site, int row, int col) {
  HardwareFault f;
  f.site = site, f.row = row, f.col = col, f.bit = 30, f.kind = FaultKind::stuck_at_0;
  return f;
}

// Without swizzling PE (row, col) serves input channels row, row + 8, ... and output
// channels col, col + 8, ... of every job (every group of a grouped conv is a job).
std::vector<std::uint8_t> expected_mask(const std::vector<int>& shape, int row, int col,
                                        const std::function<std::pair<int, int>(const std::vector<int>&)>& oc_ic) {
  std::size_t size = 1;
  for (int d : shape) size *= static_cast<std::size_t>(d);
  std::vector<std::uint8_t> mask(size, 0);
  for (std::size_t i = 0; i < size; ++i) {
    const auto [oc, ic] = oc_ic(testing::unflatten(i, shape));
    mask[i] = oc % 8 == col && ic % 8 == row;
  }
  return mask;
}

TEST(GraphPruning, WithoutSwizzlingItPrunesTheWeightsOfThePeInEveryLowering) {
  testing::TempDir dir;
  const Graph g = lowering_graph(dir);
  const ArrayConfig array = testing::preset("small");  // 8x8, no swizzle
  const GraphPruning pruning(array, g);
  EXPECT_EQ(unprunable_nodes(g), (std::vector<std::string>{"attention"}));
  const int row = 1, col = 2;
  for (FaultSite site : {FaultSite::weight, FaultSite::input, FaultSite::product}) {
    const PruningMasks m = pruning.masks({stuck_at(site, row, col)});
    ASSERT_EQ(m.size(), 5u) << to_string(site);
    // conv_g: group i's job holds kernels 3i..3i+2 as its output channels 0..2
    EXPECT_EQ(m.at("wg"), expected_mask({6, 2, 3, 3}, row, col, [](const auto& i) { return std::pair{i[0] % 3, i[1]}; }));
    EXPECT_EQ(m.at("wd"), expected_mask({10, 6, 3, 3}, row, col, [](const auto& i) { return std::pair{i[0], i[1]}; }));
    // Gemm and MatMul hold op(B)^T: B [K, N] puts N on the columns, K on the rows.
    EXPECT_EQ(m.at("b0"), expected_mask({10, 12}, row, col, [](const auto& i) { return std::pair{i[1], i[0]}; }));
    EXPECT_EQ(m.at("b1"), expected_mask({9, 12}, row, col, [](const auto& i) { return std::pair{i[0], i[1]}; }));
    EXPECT_EQ(m.at("m"), expected_mask({9, 16}, row, col, [](const auto& i) { return std::pair{i[1], i[0]}; }));
  }
  HardwareFault transient = stuck_at(FaultSite::weight, row, col);
  transient.kind = FaultKind::transient;
  transient.cycle = 10;
  for (const HardwareFault& f : {stuck_at(FaultSite::psum, 0, col), stuck_at(FaultSite::accumulator, 3, col), transient})
    EXPECT_TRUE(pruning.masks({f}).empty()) << describe(f);
  const HardwareFault idle = stuck_at(FaultSite::weight, 1, 7);  // column 7 serves no channel of wg's 3-kernel groups
  EXPECT_EQ(pruning.masks({idle}).count("wg"), 0u);
}

// The masked weights set to a sentinel instead of zero, so that each job's stationary
// operand shows which of its elements came from a masked weight.
Graph marked(const Graph& g, const PruningMasks& masks, float sentinel) {
  Graph out = g;
  for (const auto& [name, mask] : masks)
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (mask[i]) out.initializers.at(name)[i] = sentinel;
  return out;
}

TEST(GraphPruning, UnderEverySwizzleTheMaskedWeightsAreExactlyThoseTheFaultyPesHold) {
  testing::TempDir dir;
  const Graph g = lowering_graph(dir);
  Rng rng(8);
  const Tensor x = testing::random_tensor({2, 4, 5, 5}, rng);
  const std::vector<std::vector<HardwareFault>> fault_sets{
      {stuck_at(FaultSite::weight, 3, 5)}, {stuck_at(FaultSite::input, 0, 1)},
      {stuck_at(FaultSite::product, 7, 0), stuck_at(FaultSite::weight, 2, 6)}};
  const float sentinel = 1000.0f;
  for (SwizzlePolicy policy : {SwizzlePolicy::none, SwizzlePolicy::rotate, SwizzlePolicy::xor_, SwizzlePolicy::random})
    for (const auto& faults : fault_sets) {
      ArrayConfig array = testing::preset("small");
      array.swizzle = policy;
      const PruningMasks masks = GraphPruning(array, g).masks(faults);
      const PeFaults none;
      FastEngine engine(array, none);
      const GraphRun run = run_graph(marked(g, masks, sentinel), x, engine, true);
      std::vector<std::uint8_t> phases_met;  // conv_d's dilation phases hold the same kernels: met in any
      for (const LayerRun& job : run.jobs) {
        if (job.node == "attention") continue;  // activations: nothing to prune
        const Mapping mapping(job.job.shape, array, policy, job.job.swizzle_seed);
        const std::vector<std::uint8_t> met = weight_footprint(job.job.shape, mapping, faults);
        if (job.node == "conv_d") {
          phases_met.resize(met.size(), 0);
          for (std::size_t e = 0; e < met.size(); ++e) phases_met[e] |= met[e];
          for (std::size_t e = 0; e < met.size(); ++e) {
            if (met[e]) {
              ASSERT_EQ(job.weights[e], sentinel) << to_string(policy) << " " << job.job.layer << " " << e;
            }
          }
          continue;
        }
        for (std::size_t e = 0; e < met.size(); ++e)
          ASSERT_EQ(job.weights[e] == sentinel, met[e] == 1) << to_string(policy) << " " << job.job.layer << " " << e;
      }
      const std::vector<std::uint8_t> none_met(540, 0);
      EXPECT_EQ(masks.count("wd") ? masks.at("wd") : none_met, phases_met) << to_string(policy);

      Graph pruned = g;
      long long ones = 0;
      for (const auto& [name, mask] : masks) ones += std::count(mask.begin(), mask.end(), 1);
      EXPECT_EQ(apply_pruning(pruned, masks), ones);
      EXPECT_GT(ones, 0);
      for (const auto& [name, mask] : masks)
        for (std::size_t i = 0; i < mask.size(); ++i)
          ASSERT_EQ(pruned.initializers.at(name)[i], mask[i] ? 0.0f : g.initializers.at(name)[i]) << name << " " << i;
    }
}

}  // namespace
}  // namespace accsim
