// A graph run whose host operators and lowering copies split over threads (run_graph's
// host_threads) gives every value and cycle count of the one-thread run: the shipped
// ResNet-8, MobileNet-style (grouped convolutions) and vision transformer (attention
// MatMuls, LayerNorm, Softmax, Gelu) with permanent faults, at an odd batch size.
#include <gtest/gtest.h>

#include <string>

#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

constexpr int kBatch = 241;  // odd: the split ranges are uneven; the largest values split (>= 2^20 elements)

std::vector<HardwareFault> faults() {
  return {{FaultSite::weight, 1, 2, 22, FaultKind::stuck_at_1, -1}, {FaultSite::input, 0, 0, 29, FaultKind::stuck_at_0, -1}};
}

class GraphHostThreads : public ::testing::TestWithParam<std::string> {};

TEST_P(GraphHostThreads, EveryValueAndCycleAsOnOneThread) {
  const Graph g = load_onnx_model(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/" + GetParam() + ".onnx", kBatch);
  Rng rng(7);
  const Tensor images = testing::random_tensor(g.inputs.at(0).shape, rng);
  const ArrayConfig array = testing::preset("small");
  const PeFaults pe(array, faults());
  FastEngine engine(array, pe, 2);
  const GraphRun one = run_graph(g, images, engine, true, 1);
  const GraphRun two = run_graph(g, images, engine, true, 2);
  EXPECT_EQ(one.cycles, two.cycles);
  ASSERT_EQ(one.values.size(), two.values.size());
  for (const auto& [name, value] : one.values) {
    const Tensor& other = two.values.at(name);
    ASSERT_EQ(value.shape(), other.shape()) << name;
    EXPECT_EQ(testing::count_bit_differences(value, other), 0) << GetParam() << ": value " << name;
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedModels, GraphHostThreads,
                         ::testing::Values("resnet8_fmnist", "mobilenet_fmnist", "vit_fmnist"));

}  // namespace
}  // namespace accsim
