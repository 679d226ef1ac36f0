// Activation clipping on graph models: a Relu node with a clip computes the clipped ReLU
// (saturate / zero), one without computes ONNX Relu; clips reach every Relu node and no
// other node, count in the model's resume key, and a bad mode is refused at load time.
#include "workloads/models/relu_clip.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/models/graph_hash.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_import.h"
#include "workloads/models/operators.h"
#include "workloads/models/tiny_classifier.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

// x [1, 8] -> Relu -> y
Graph one_relu() {
  Graph g;
  g.inputs = {{"x", {1, 8}}};
  g.outputs = {"y"};
  g.nodes.push_back(Node{"relu", "Relu", {"x"}, {"y"}, {}});
  g.shapes = {{"x", {1, 8}}, {"y", {1, 8}}};
  return g;
}

std::vector<float> relu_of(const Graph& g) {
  const float inf = std::numeric_limits<float>::infinity();
  Tensor x({1, 8});
  x.values() = {-1.0f, -0.0f, 0.5f, 5.0f, 7.0f, std::nanf(""), inf, -inf};
  const PeFaults none;
  FastEngine engine(testing::preset("small"), none);
  const Tensor y = run_graph(g, x, engine, false).outputs.at(0);
  return {y.values().begin(), y.values().end()};
}

std::uint32_t bits(float v) { return float_bits(v); }

TEST(ReluClip, AClippedReluSaturatesOrZeroesAboveItsThresholdAndNanAndAPlainReluIsOnnxRelu) {
  Graph g = one_relu();
  const std::vector<float> plain = relu_of(g);
  EXPECT_EQ(bits(plain[0]), bits(0.0f));
  EXPECT_EQ(bits(plain[1]), bits(-0.0f));  // ONNX / PyTorch Relu: x < 0 ? 0 : x keeps -0 and NaN
  EXPECT_EQ(plain[4], 7.0f);
  EXPECT_TRUE(std::isnan(plain[5]));
  EXPECT_TRUE(std::isinf(plain[6]));

  ActivationClip clip;
  clip.mode = ClipMode::saturate;
  clip.threshold = 6.0f;
  EXPECT_EQ(set_relu_clips(g, clip), 1u);
  const std::vector<float> saturate = relu_of(g);
  const std::vector<float> expected_saturate{0.0f, 0.0f, 0.5f, 5.0f, 6.0f, 6.0f, 6.0f, 0.0f};
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(bits(saturate[i]), bits(expected_saturate[i])) << i;

  clip.mode = ClipMode::zero;
  set_relu_clips(g, clip);
  const std::vector<float> zero = relu_of(g);
  const std::vector<float> expected_zero{0.0f, 0.0f, 0.5f, 5.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(bits(zero[i]), bits(expected_zero[i])) << i;

  set_relu_clips(g, ActivationClip{});  // none: the attributes go, ONNX Relu again
  EXPECT_TRUE(g.nodes[0].attributes.empty());
  const std::vector<float> again = relu_of(g);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(bits(again[i]), bits(plain[i])) << i;
}

TEST(ReluClip, ClipsReachEveryReluNodeAndNoOtherAndCountInTheModelsKey) {
  testing::TempDir dir;
  testing::save_tiny_classifier(dir.file("tiny.onnx"));
  const Graph plain = load_onnx_model(dir.file("tiny.onnx"), 2);
  Graph g = plain;
  ActivationClip clip;
  clip.mode = ClipMode::saturate;
  clip.threshold = 0.25f;
  EXPECT_FALSE(has_relu_clip(g, clip));
  EXPECT_EQ(set_relu_clips(g, clip), 2u);
  EXPECT_EQ(relu_count(g), 2u);
  EXPECT_TRUE(has_relu_clip(g, clip));
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    if (n.op == "Relu") {
      EXPECT_EQ(relu_clip(n).mode, ClipMode::saturate) << n.name;
      EXPECT_EQ(relu_clip(n).threshold, 0.25f) << n.name;
    } else {
      EXPECT_EQ(n.attributes.size(), plain.nodes[i].attributes.size()) << n.name;
    }
  }
  clip.threshold = 0.5f;
  EXPECT_FALSE(has_relu_clip(g, clip));  // another threshold is another clip
  const auto key = [](const Graph& graph) {
    KeyHasher h;
    hash_graph(h, graph);
    return h.hex();
  };
  EXPECT_NE(key(plain), key(g));
  set_relu_clips(g, ActivationClip{});
  EXPECT_EQ(key(plain), key(g));

  const PeFaults none;  // a low threshold changes what the model computes
  FastEngine engine(testing::preset("small"), none);
  Rng rng(3);
  const Tensor x = testing::random_tensor({2, 3, 8, 8}, rng);
  set_relu_clips(g, clip);
  EXPECT_GT(testing::count_bit_differences(run_graph(plain, x, engine, false).outputs.at(0),
                                           run_graph(g, x, engine, false).outputs.at(0)),
            0);
}

TEST(ReluClip, AnUnknownClipModeOrAThresholdNotAbove0IsRefusedWhenTheModelIsChecked) {
  Graph g = one_relu();
  g.nodes[0].attributes[kClipModeAttribute] = std::string("tanh");
  const OperatorDef* relu = find_operator("Relu");
  ASSERT_NE(relu, nullptr);
  try {
    relu->check(g.nodes[0], g);
    FAIL() << "mode tanh was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("\"tanh\" is not one of saturate, zero"), std::string::npos) << e.what();
  }
  g.nodes[0].attributes[kClipModeAttribute] = std::string("zero");
  g.nodes[0].attributes[kClipThresholdAttribute] = 0.0f;
  EXPECT_THROW(relu->check(g.nodes[0], g), std::invalid_argument);
  g.nodes[0].attributes[kClipThresholdAttribute] = 1.0f;
  EXPECT_NO_THROW(relu->check(g.nodes[0], g));
}

}  // namespace
}  // namespace accsim
