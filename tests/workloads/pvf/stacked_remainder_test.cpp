// PVF experiments whose fault-free rests run stacked give, bit for bit, the logits of each
// experiment's own incremental rerun and of a full run of the corrupted graph, on LeNet-5
// (a chain) and on the shipped ResNet-8 (residual adds), for random single-bit flips in
// random parameters of random images.
#include "workloads/pvf/stacked_remainder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>

#include <unistd.h>

#include "arch/number_format.h"
#include "arch/random.h"
#include "test_util.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/plane_rerun_engine.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

struct Flip {
  std::string tensor;
  std::size_t element = 0;
  int bit = 0;
  int image = 0;
};

void flip(Graph& g, const Flip& f) {
  float& x = g.initializers.at(f.tensor).data()[f.element];
  x = bits_float(float_bits(x) ^ (1u << f.bit));
}

bool same_bits(const float* a, const float* b, std::size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

// Random flips (bits 20..31: most change the logits, some do not) into random parameters.
std::vector<Flip> random_flips(const Graph& g, int count, int images, std::uint64_t seed) {
  std::vector<std::string> names;
  for (const auto& [name, t] : g.initializers)
    if (!g.constants.count(name)) names.push_back(name);
  Rng rng(seed);
  std::vector<Flip> flips;
  for (int i = 0; i < count; ++i) {
    Flip f;
    f.tensor = names[rng.below(names.size())];
    f.element = rng.below(g.initializers.at(f.tensor).size());
    f.bit = 20 + static_cast<int>(rng.below(12));
    f.image = static_cast<int>(rng.below(static_cast<std::uint64_t>(images)));
    flips.push_back(f);
  }
  return flips;
}

// Per flip: the logits of a full run, of a rerun alone (on the fast engine, and on the
// plane rerun engine, which recomputes only the corrupted output channels' planes), and
// of the stacked rests.
void expect_stacking_equals_reruns(const Graph& model, const Tensor& images, int experiments, std::uint64_t seed) {
  const PeFaults healthy;
  const auto engine = make_engine("fast", testing::preset("small"), healthy);
  std::vector<int> shape = model.inputs[0].shape;
  const std::size_t per = images.size() / static_cast<std::size_t>(images.dim(0));
  std::vector<GraphRun> goldens;
  std::vector<Tensor> inputs;
  for (int i = 0; i < images.dim(0); ++i) {
    inputs.emplace_back(shape);
    std::copy_n(images.data() + i * per, per, inputs.back().data());
    goldens.push_back(run_graph(model, inputs.back(), *engine, true));
  }
  StackedRemainder rest(model);
  ASSERT_TRUE(rest.batchable());
  Graph g = model;
  const std::vector<Flip> flips = random_flips(g, experiments, images.dim(0), seed);
  std::vector<Tensor> stationary;  // the same for every image
  std::vector<Mapping> mappings;
  for (const LayerRun& job : goldens.front().jobs) {
    stationary.push_back(job.weights);
    mappings.emplace_back(job.job.shape, testing::preset("small"), testing::preset("small").swizzle, job.job.swizzle_seed);
  }
  std::vector<Tensor> full, alone, planes;
  std::vector<Rerun> partial(flips.size());
  std::map<std::size_t, std::vector<std::size_t>> by_start;
  for (std::size_t k = 0; k < flips.size(); ++k) {
    RerunScope scope;
    scope.changed_initializers = {flips[k].tensor};
    const GraphRun& golden = goldens[static_cast<std::size_t>(flips[k].image)];
    flip(g, flips[k]);
    full.push_back(run_graph(g, inputs[static_cast<std::size_t>(flips[k].image)], *engine, false).outputs.at(0));
    alone.push_back(rerun_graph(g, golden, *engine, scope).outputs.at(0));
    PlaneRerunEngine plane_engine(testing::preset("small"), healthy, golden, stationary, mappings);
    planes.push_back(rerun_graph(g, golden, plane_engine, scope).outputs.at(0));
    const std::size_t start = rest.resume_node(scope.changed_initializers);
    partial[k] = rerun_nodes(g, golden, *engine, scope, start);
    flip(g, flips[k]);  // undone
    ASSERT_LT(start, g.nodes.size() + 1);
    if (start < g.nodes.size() && rest.reaches_rest(start, partial[k].changed)) by_start[start].push_back(k);
  }
  std::size_t stacked = 0, changed = 0;
  for (std::size_t k = 0; k < flips.size(); ++k) {
    ASSERT_TRUE(same_bits(full[k].data(), alone[k].data(), full[k].size())) << "flip " << k;
    ASSERT_TRUE(same_bits(full[k].data(), planes[k].data(), full[k].size())) << "flip " << k << " on the plane engine";
    changed += !same_bits(full[k].data(), goldens[static_cast<std::size_t>(flips[k].image)].outputs[0].data(), full[k].size());
  }
  for (const auto& [start, ks] : by_start) {
    std::vector<StackedMember> members;
    for (std::size_t k : ks) members.push_back({&goldens[static_cast<std::size_t>(flips[k].image)], &partial[k].changed});
    const Tensor logits = rest.run(start, members, *engine);
    const std::size_t classes = logits.size() / ks.size();
    for (std::size_t m = 0; m < ks.size(); ++m) {
      EXPECT_TRUE(same_bits(logits.data() + m * classes, full[ks[m]].data(), classes)) << "flip " << ks[m] << " from node " << start;
      ++stacked;
    }
  }
  EXPECT_GT(stacked, flips.size() / 4);  // most flips reach the rest, several per start node
  EXPECT_GT(changed, 0u);
  EXPECT_LT(by_start.size(), stacked);
}

TEST(StackedRemainder, LeNet5StackedRestsEqualRerunsAndFullRuns) {
  const Network net = lenet5();
  const Graph g = network_graph(net, init_parameters(net, 3), 1);
  Rng rng(4);
  expect_stacking_equals_reruns(g, testing::random_tensor({6, 1, 28, 28}, rng, 0.0f, 1.0f), 40, 11);
}

TEST(StackedRemainder, ResidualOnnxModelStackedRestsEqualRerunsAndFullRuns) {
  const Graph g = load_onnx_model(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/resnet8_fmnist.onnx", 1);
  Rng rng(8);
  expect_stacking_equals_reruns(g, testing::random_tensor({4, 1, 28, 28}, rng, 0.0f, 1.0f), 16, 12);
}

// The stacked rest lets a node write over its input 0 only as that value's last reader:
// here conv's output is read by Sigmoid (which would write over it) and then by Add.
TEST(StackedRemainder, AValueReadAgainLaterIsNotWrittenOver) {
  Rng rng(9);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-0.5f, 0.5f);
    return v;
  };
  testing::OnnxBuilder b;
  b.input("x", {0, 1, 6, 6}).output("y");
  b.floats("conv.weight", {4, 1, 3, 3}, values(36)).floats("fc.weight", {3, 64}, values(192));
  b.node("Conv", {"x", "conv.weight"}, {"c"}, "conv");
  b.node("Sigmoid", {"c"}, {"s"}, "sigmoid");
  b.node("Add", {"s", "c"}, {"a"}, "add");
  b.node("Flatten", {"a"}, {"f"}, "flatten");
  testing::OnnxBuilder::int_attribute(b.node("Gemm", {"f", "fc.weight"}, {"y"}, "fc"), "transB", 1);
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("accsim_stacked_reread_" + std::to_string(::getpid()) + ".onnx")).string();
  b.save(path);
  const Graph g = load_onnx_model(path, 1);
  std::filesystem::remove(path);
  expect_stacking_equals_reruns(g, testing::random_tensor({4, 1, 6, 6}, rng, 0.0f, 1.0f), 16, 13);
}

// resume_node of one initializer is remembered after its first walk: asked twice it must
// give the graph walk's node (forced by a second name that no node reads), and on LeNet-5
// the node after the one reading a layer's weight.
TEST(StackedRemainder, OneInitializersResumeNodeEqualsTheWalk) {
  const Graph resnet = load_onnx_model(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/resnet8_fmnist.onnx", 1);
  StackedRemainder rest(resnet);
  for (int pass = 0; pass < 2; ++pass)
    for (const auto& [name, tensor] : resnet.initializers) {
      EXPECT_EQ(rest.resume_node({name}), rest.resume_node({name, "no value of the graph"})) << name;
    }
  const Network net = lenet5();
  const Graph lenet = network_graph(net, init_parameters(net, 3), 1);
  StackedRemainder chain(lenet);
  for (int pass = 0; pass < 2; ++pass)
    for (std::size_t i = 0; i < lenet.nodes.size(); ++i)
      for (const std::string& in : lenet.nodes[i].inputs) {
        if (!lenet.is_initializer(in)) continue;
        EXPECT_EQ(chain.resume_node({in}), i + 1) << in;
      }
}

TEST(StackedRemainder, ValuesWithAnotherFirstDimensionAreNotBatchable) {
  const Network net = lenet5();
  Graph g = network_graph(net, init_parameters(net, 3), 1);
  EXPECT_TRUE(StackedRemainder(g).batchable());
  g.shapes.at(g.nodes[1].outputs[0])[0] = 2;  // as a Reshape folding the batch into another axis would
  const StackedRemainder rest(g);
  EXPECT_FALSE(rest.batchable());
}

}  // namespace
}  // namespace accsim
