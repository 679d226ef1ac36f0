// The fault-free records sliced out of batches equal each image's own batch-1 recorded run
// bit for bit (values, jobs' operands, outputs, start cycles and timing), on LeNet-5 with
// a clipping ReLU and on the shipped ResNet-8 (residual adds), for a pool that does not
// fill its last batch; a graph that is not batchable, or whose slices disagree with the
// batch-1 runs, gets nothing (its records are then made one image at a time); an image
// the caller declines gets its outputs alone.
#include "workloads/pvf/batched_golden.h"

#include <gtest/gtest.h>

#include <cstring>

#include "arch/random.h"
#include "test_util.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

std::vector<Tensor> random_images(const Graph& g, int count, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<Tensor> images;
  for (int i = 0; i < count; ++i) images.push_back(testing::random_tensor(g.inputs.at(0).shape, rng, 0.0f, 1.0f));
  return images;
}

GraphRun recorded(const Graph& g, const Tensor& image) {
  const PeFaults healthy;
  return run_graph(g, image, *make_engine("fast", testing::preset("small"), healthy), true);
}

void expect_slices_equal_batch1_runs(const Graph& g, int count, int batch) {
  const std::vector<Tensor> images = random_images(g, count, 5);
  const GraphRun first = recorded(g, images[0]);
  const auto runs = record_in_batches(g, testing::preset("small"), images, first, batch, 2);
  ASSERT_TRUE(runs.has_value());
  ASSERT_EQ(runs->size(), images.size());
  for (int i = 0; i < count; ++i) {
    const GraphRun& run = (*runs)[static_cast<std::size_t>(i)];
    EXPECT_TRUE(same_records(run, recorded(g, images[static_cast<std::size_t>(i)]))) << "image " << i;
    for (const LayerRun& job : run.jobs) EXPECT_EQ(job.weights.size(), 0u);  // kept once, in `first`
  }
}

TEST(BatchedGolden, LeNet5SlicesEqualBatch1Runs) {
  Network net = lenet5();
  net.clip = {ClipMode::saturate, 0.5f};
  expect_slices_equal_batch1_runs(network_graph(net, init_parameters(net, 3), 1), 7, 3);
}

TEST(BatchedGolden, ResidualOnnxModelSlicesEqualBatch1Runs) {
  expect_slices_equal_batch1_runs(
      load_onnx_model(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/resnet8_fmnist.onnx", 1), 3, 2);
}

// Declined images (odd ones here; a PVF pool's misclassified ones) keep their outputs and
// cycles only; the predicate sees each image's own output; images 0 and 1 stay whole.
TEST(BatchedGolden, DeclinedImagesKeepTheirOutputsAlone) {
  const Network net = lenet5();
  const Graph g = network_graph(net, init_parameters(net, 3), 1);
  const std::vector<Tensor> images = random_images(g, 7, 8);
  std::vector<GraphRun> own;
  for (const Tensor& image : images) own.push_back(recorded(g, image));
  std::vector<char> seen_right(images.size(), 0);  // one slot per image: no two threads share one
  const RecordWanted odd_declined = [&](std::size_t i, const Tensor& output) {
    seen_right[i] = output.shape() == own[i].outputs.at(0).shape() &&
                    std::memcmp(output.data(), own[i].outputs.at(0).data(), output.size() * sizeof(float)) == 0;
    return i % 2 == 0;
  };
  const auto runs = record_in_batches(g, testing::preset("small"), images, own[0], 3, 2, odd_declined);
  ASSERT_TRUE(runs.has_value());
  for (std::size_t i = 0; i < images.size(); ++i) {
    const GraphRun& run = (*runs)[i];
    if (i < 2 || i % 2 == 0) {
      EXPECT_TRUE(same_records(run, own[i])) << "image " << i;
      continue;
    }
    EXPECT_TRUE(seen_right[i]) << "image " << i;
    EXPECT_TRUE(run.values.empty() && run.jobs.empty()) << "image " << i;
    GraphRun outputs_alone = own[i];
    outputs_alone.values.clear();
    outputs_alone.jobs.clear();
    EXPECT_TRUE(same_records(run, outputs_alone)) << "image " << i;
  }
}

TEST(BatchedGolden, NothingWhenTheSlicesOrTheGraphDoNotAllowIt) {
  const Network net = lenet5();
  Graph g = network_graph(net, init_parameters(net, 3), 1);
  const std::vector<Tensor> images = random_images(g, 4, 6);
  const ArrayConfig array = testing::preset("small");
  const GraphRun first = recorded(g, images[0]);
  EXPECT_TRUE(record_in_batches(g, array, images, first, 2, 1).has_value());
  EXPECT_FALSE(record_in_batches(g, array, images, first, 1, 1).has_value());  // batch 1
  GraphRun shifted = first;
  for (LayerRun& job : shifted.jobs) ++job.start_cycle;  // timing other than the images' own
  EXPECT_FALSE(record_in_batches(g, array, images, shifted, 2, 1).has_value());
  g.shapes.at(g.nodes[1].outputs[0])[0] = 2;  // not batchable (stacked_remainder_test.cpp)
  EXPECT_FALSE(record_in_batches(g, array, images, first, 2, 1).has_value());
}

}  // namespace
}  // namespace accsim
