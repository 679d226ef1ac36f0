// The shipped ONNX models (configs/models/, trained by tools/python/models/) run
// fault-free on the simulated array and agree with PyTorch's own logits on the same
// Fashion-MNIST test images (fixtures written by the export script), and the fast and
// cycle engines agree bit for bit on them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/run/engines.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_import.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

#ifdef ACCSIM_SANITIZE_BUILD
constexpr int kImages = 100;  // sanitizers run ~10x slower; the release pass checks 1000
#else
constexpr int kImages = 1000;
#endif
constexpr int kBatch = 100;

std::string model_path(const std::string& name) { return std::string(ACCSIM_SOURCE_DIR) + "/configs/models/" + name; }

int argmax_row(const float* row, int classes) { return static_cast<int>(std::max_element(row, row + classes) - row); }

// Fault-free logits of the first `images` test images, in batches.
Tensor run_images(const std::string& file, int images, const std::string& engine_name) {
  const Graph g = load_onnx_model(model_path(file), kBatch);
  const PeFaults none;
  const ArrayConfig array = testing::preset("small");
  auto engine = make_engine(engine_name, array, none);
  Tensor all({images, 10});
  for (int first = 0; first < images; first += kBatch) {
    const LabelledImages d = load_fashion_mnist(kFashionMnistDir, DatasetSplit::test, first, kBatch);
    const Tensor logits = run_graph(g, d.images, *engine, false).outputs.at(0);
    std::copy(logits.values().begin(), logits.values().begin() + std::min(kBatch, images - first) * 10,
              all.values().begin() + first * 10);
  }
  return all;
}

class ShippedModel : public ::testing::TestWithParam<std::string> {};

TEST_P(ShippedModel, AgreesWithPyTorchOnTestImages) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const std::string name = GetParam();
  const Tensor ours = run_images(name + ".onnx", kImages, "fast");
  const Tensor theirs = read_tensor(model_path(name + ".logits.h5"), "logits");
  ASSERT_GE(theirs.dim(0), kImages);
  int same_top1 = 0;
  double max_relative = 0;
  for (int i = 0; i < kImages; ++i) {
    const float* a = ours.data() + i * 10;
    const float* b = theirs.data() + i * 10;
    same_top1 += argmax_row(a, 10) == argmax_row(b, 10);
    float scale = 0;
    for (int c = 0; c < 10; ++c) scale = std::max(scale, std::fabs(b[c]));
    for (int c = 0; c < 10; ++c) max_relative = std::max(max_relative, std::fabs(double(a[c]) - b[c]) / scale);
  }
  EXPECT_EQ(same_top1, kImages);
  EXPECT_LT(max_relative, 1e-4) << "largest logit error relative to the image's largest |logit|";
  RecordProperty("max_relative_logit_error", std::to_string(max_relative));
}

TEST_P(ShippedModel, FastAndCycleEnginesAgreeBitForBit) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const Graph g = load_onnx_model(model_path(GetParam() + ".onnx"), 2);
  const ArrayConfig array = testing::preset("small");
  HardwareFault f;
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  const PeFaults pe(array, {f});
  const LabelledImages d = load_fashion_mnist(kFashionMnistDir, DatasetSplit::test, 0, 2);
  const GraphRun fast = run_graph(g, d.images, *make_engine("fast", array, pe), true);
  const GraphRun cycle = run_graph(g, d.images, *make_engine("cycle", array, pe), true);
  EXPECT_EQ(testing::count_bit_differences(fast.outputs.at(0), cycle.outputs.at(0)), 0);
  EXPECT_EQ(fast.cycles, cycle.cycles);
  ASSERT_EQ(fast.jobs.size(), cycle.jobs.size());
  for (std::size_t i = 0; i < fast.jobs.size(); ++i) EXPECT_EQ(fast.jobs[i].timing, cycle.jobs[i].timing) << fast.jobs[i].job.layer;
}

INSTANTIATE_TEST_SUITE_P(Models, ShippedModel, ::testing::Values("resnet8_fmnist", "mobilenet_fmnist", "vit_fmnist"));

}  // namespace
}  // namespace accsim
