// A run that records nothing fuses Conv -> Relu pairs and the exported LayerNorm and GELU
// chains (graph_fusion.h); a recording run fuses nothing. Both give the same outputs bit
// for bit, NaN, infinities and signed zeros included, on one and two host threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/models/fusion_memo.h"
#include "workloads/models/graph_fusion.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_import.h"
#include "workloads/models/relu_clip.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using Role = NodeFusion::Role;

int count_role(const FusionPlan& plan, Role role) {
  int n = 0;
  for (const NodeFusion& f : plan.nodes) n += f.role == role;
  return n;
}

// Special values over a tensor: NaN, both infinities, both zeros, a subnormal, huge values.
void sprinkle_specials(Tensor& t, std::size_t every) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), INFINITY, -INFINITY, 0.0f, -0.0f, 1e-40f, 3e38f, -3e38f};
  for (std::size_t i = 0, k = 0; i < t.size(); i += every, ++k) t[i] = specials[k % std::size(specials)];
}

// Sanitized builds compile at -O1, where GCC orders some host loops' operands otherwise
// than at -O3, and x86 arithmetic on two NaNs returns its first source operand's: the
// node-by-node run's NaN payloads are the compiler's there, so NaNs compare as NaNs. Release
// builds (which make every shipped result) compare every bit.
#ifdef __SANITIZE_ADDRESS__
constexpr bool kNanPayloads = false;
#else
constexpr bool kNanPayloads = true;
#endif

long long differences(const Tensor& a, const Tensor& b) {
  if (kNanPayloads) return testing::count_bit_differences(a, b);
  long long n = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    n += std::isnan(a[i]) ? !std::isnan(b[i]) : float_bits(a[i]) != float_bits(b[i]);
  return n;
}

void expect_same_outputs(const GraphRun& fused, const GraphRun& plain, const std::string& what) {
  ASSERT_EQ(fused.outputs.size(), plain.outputs.size()) << what;
  for (std::size_t i = 0; i < fused.outputs.size(); ++i) {
    ASSERT_EQ(fused.outputs[i].shape(), plain.outputs[i].shape()) << what;
    EXPECT_EQ(differences(fused.outputs[i], plain.outputs[i]), 0) << what << ": output " << i;
  }
}

// A LayerNorm chain over x [rows, d] as torch exports it (its weight Mul and bias Add
// with the operands swapped), then an exact GELU chain over its output.
Graph layer_norm_gelu_graph(int rows, int d) {
  Graph g;
  g.inputs = {{"x", {rows, d}}};
  g.outputs = {"y"};
  Rng rng(3);
  g.initializers["two"] = Tensor({}, 2.0f);
  g.initializers["eps"] = Tensor({1}, 1e-5f);
  g.initializers["w"] = testing::random_tensor({d}, rng, -2.0f, 2.0f);
  g.initializers["b"] = testing::random_tensor({1, d}, rng);
  sprinkle_specials(g.initializers["w"], 29);  // NaN weights meet NaN rows: the first operand's NaN
  sprinkle_specials(g.initializers["b"], 31);
  g.initializers["sqrt2"] = Tensor({}, 1.4142135f);
  g.initializers["one"] = Tensor({}, 1.0f);
  g.initializers["half"] = Tensor({}, 0.5f);
  g.nodes = {Node{"m", "ReduceMean", {"x"}, {"m"}, {}},      Node{"d", "Sub", {"x", "m"}, {"d"}, {}},
             Node{"p", "Pow", {"d", "two"}, {"p"}, {}},       Node{"v", "ReduceMean", {"p"}, {"v"}, {}},
             Node{"ve", "Add", {"v", "eps"}, {"ve"}, {}},     Node{"s", "Sqrt", {"ve"}, {"s"}, {}},
             Node{"n", "Div", {"d", "s"}, {"n"}, {}},         Node{"nw", "Mul", {"w", "n"}, {"nw"}, {}},
             Node{"ln", "Add", {"nw", "b"}, {"ln"}, {}},      Node{"g0", "Div", {"ln", "sqrt2"}, {"g0"}, {}},
             Node{"g1", "Erf", {"g0"}, {"g1"}, {}},           Node{"g2", "Add", {"g1", "one"}, {"g2"}, {}},
             Node{"g3", "Mul", {"ln", "g2"}, {"g3"}, {}},     Node{"y", "Mul", {"g3", "half"}, {"y"}, {}}};
  for (int i : {0, 3}) g.nodes[static_cast<std::size_t>(i)].attributes["axes"] = AttributeValue{std::vector<long long>{-1}};
  for (const char* name : {"x", "d", "p", "n", "nw", "ln", "g0", "g1", "g2", "g3", "y"}) g.shapes[name] = {rows, d};
  for (const char* name : {"m", "v", "ve", "s"}) g.shapes[name] = {rows, 1};
  return g;
}

GraphRun run_on(const Graph& g, const Tensor& x, bool record, int threads) {
  const PeFaults none;
  FastEngine engine(testing::preset("small"), none);
  return run_graph(g, x, engine, record, threads);
}

TEST(GraphFusion, LayerNormAndGeluChainsFoundInTheirExportedForms) {
  const FusionPlan plan = plan_fusions(layer_norm_gelu_graph(4, 8));
  ASSERT_EQ(plan.chains.size(), 2u);
  EXPECT_EQ(plan.chains[0].chain.steps.size(), 9u);
  EXPECT_EQ(plan.chains[1].chain.steps.size(), 5u);
  EXPECT_EQ(plan.chains[0].chain.output, "ln");
  EXPECT_TRUE(plan.chains[0].input_consumable);  // x: read by the chain only
  EXPECT_TRUE(plan.chains[1].input_consumable);  // ln: likewise
  EXPECT_EQ(count_role(plan, Role::chain_head), 2);
  EXPECT_EQ(count_role(plan, Role::in_chain), 12);
}

// 2^20 elements: split over two threads (split_rows.h), uneven rows per part at 2^20 / 1024.
TEST(GraphFusion, ChainsGiveTheNodeByNodeBitsWithSpecialValuesOnOneAndTwoThreads) {
  for (const auto& [rows, d] : {std::pair{1024, 1024}, std::pair{37, 64}}) {
    const Graph g = layer_norm_gelu_graph(rows, d);
    Rng rng(11);
    Tensor x = testing::random_tensor({rows, d}, rng, -4.0f, 4.0f);
    sprinkle_specials(x, 13);
    for (int c = 0; c < d; ++c) x[static_cast<std::size_t>(d) + c] = 1e30f;  // a row whose variance overflows
    const GraphRun plain = run_on(g, x, true, 1);
    for (int threads : {1, 2}) expect_same_outputs(run_on(g, x, false, threads), plain, std::to_string(rows) + " rows, threads " + std::to_string(threads));
  }
}

TEST(GraphFusion, NoChainWhereAnInnerValueIsAnOutputOrReadElsewhere) {
  Graph g = layer_norm_gelu_graph(4, 8);
  g.outputs.push_back("s");  // inside the LayerNorm
  g.nodes.push_back(Node{"extra", "Neg", {"g1"}, {"extra"}, {}});  // inside the GELU
  g.shapes["extra"] = {4, 8};
  g.outputs.push_back("extra");
  const FusionPlan plan = plan_fusions(g);
  EXPECT_TRUE(plan.chains.empty());
  Rng rng(2);
  const Tensor x = testing::random_tensor({4, 8}, rng);
  expect_same_outputs(run_on(g, x, false, 1), run_on(g, x, true, 1), "unfused");
}

// Conv -> Relu with the Relu a graph output: NaN inputs and NaN biases of another payload
// meet in the bias add (whose NaN wins is the add's operand order), in each clip mode.
TEST(GraphFusion, ConvReluGivesTheNodeByNodeBitsWithNanBiases) {
  Graph g;
  g.inputs = {{"x", {2, 3, 6, 6}}};
  g.outputs = {"y"};
  Rng rng(4);
  g.initializers["w"] = testing::random_tensor({4, 3, 3, 3}, rng);
  g.initializers["b"] = testing::random_tensor({4}, rng);
  const std::uint32_t payload = 0x7fc00123u;
  std::memcpy(&g.initializers["b"][1], &payload, sizeof payload);
  g.initializers["b"][2] = -INFINITY;
  g.nodes = {Node{"conv", "Conv", {"x", "w", "b"}, {"c"}, {}}, Node{"relu", "Relu", {"c"}, {"y"}, {}}};
  g.shapes = {{"x", {2, 3, 6, 6}}, {"c", {2, 4, 4, 4}}, {"y", {2, 4, 4, 4}}};
  ASSERT_EQ(count_role(plan_fusions(g), Role::conv_with_relu), 1);
  Tensor x = testing::random_tensor({2, 3, 6, 6}, rng, -3.0f, 3.0f);
  sprinkle_specials(x, 11);
  for (ClipMode mode : {ClipMode::none, ClipMode::saturate, ClipMode::zero}) {
    set_relu_clips(g, {mode, 0.75f});
    const GraphRun plain = run_on(g, x, true, 1);
    for (int threads : {1, 2}) expect_same_outputs(run_on(g, x, false, threads), plain, "conv relu " + std::to_string(threads));
  }
}

TEST(GraphFusion, ShippedModelsFuseTheirConvReluPairsAndChains) {
  const std::string dir = std::string(ACCSIM_SOURCE_DIR) + "/configs/models/";
  const FusionPlan resnet = plan_fusions(load_onnx_model(dir + "resnet8_fmnist.onnx", 2));
  EXPECT_EQ(count_role(resnet, Role::conv_with_relu), 4);  // the other Relus follow residual Adds
  EXPECT_EQ(count_role(resnet, Role::relu_of_conv), 4);
  const FusionPlan mobilenet = plan_fusions(load_onnx_model(dir + "mobilenet_fmnist.onnx", 2));
  EXPECT_EQ(count_role(mobilenet, Role::conv_with_relu), 9);
  const FusionPlan vit = plan_fusions(load_onnx_model(dir + "vit_fmnist.onnx", 2));
  ASSERT_EQ(vit.chains.size(), 13u);  // 9 LayerNorms (2 per block, the final one), 4 GELUs
  int layer_norms = 0;
  for (const FusedChain& c : vit.chains) layer_norms += c.chain.steps.size() == 9;
  EXPECT_EQ(layer_norms, 9);
}

// The shipped models with permanent faults and special input values, fused against the
// recorded run; ResNet-8 also with each activation-clipping mode on its Relus.
class GraphFusionShipped : public ::testing::TestWithParam<std::string> {};

TEST_P(GraphFusionShipped, FusedRunGivesTheRecordedRunsOutputs) {
  Graph g = load_onnx_model(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/" + GetParam() + ".onnx", 5);
  Rng rng(7);
  Tensor images = testing::random_tensor(g.inputs.at(0).shape, rng);
  sprinkle_specials(images, 97);
  const ArrayConfig array = testing::preset("small");
  const PeFaults pe(array, {{FaultSite::weight, 1, 2, 22, FaultKind::stuck_at_1, -1},
                            {FaultSite::input, 0, 0, 29, FaultKind::stuck_at_0, -1}});
  FastEngine engine(array, pe, 2);
  const ClipMode modes[] = {ClipMode::none, ClipMode::saturate, ClipMode::zero};
  for (ClipMode mode : modes) {
    set_relu_clips(g, {mode, 1.5f});
    const GraphRun plain = run_graph(g, images, engine, true, 1);
    for (int threads : {1, 2})
      expect_same_outputs(run_graph(g, images, engine, false, threads), plain,
                          GetParam() + " clip " + std::to_string(static_cast<int>(mode)) + " threads " + std::to_string(threads));
  }
}

INSTANTIATE_TEST_SUITE_P(ShippedModels, GraphFusionShipped, ::testing::Values("resnet8_fmnist", "mobilenet_fmnist", "vit_fmnist"));

bool same_plan(const FusionPlan& a, const FusionPlan& b) {
  if (a.nodes.size() != b.nodes.size() || a.chains.size() != b.chains.size()) return false;
  for (std::size_t i = 0; i < a.nodes.size(); ++i)
    if (a.nodes[i].role != b.nodes[i].role || a.nodes[i].partner != b.nodes[i].partner) return false;
  for (std::size_t i = 0; i < a.chains.size(); ++i) {
    const FusedChain &x = a.chains[i], &y = b.chains[i];
    if (x.chain.input != y.chain.input || x.chain.output != y.chain.output || x.last_node != y.last_node ||
        x.input_consumable != y.input_consumable || x.chain.steps.size() != y.chain.steps.size())
      return false;
  }
  return true;
}

// Parameter values (parameter faults) and Relu clip attributes are no part of a plan: the
// memo serves the graph and its copies while nothing a plan reads changes.
TEST(FusionMemo, ReusedWhileWhatThePlanReadsIsUnchanged) {
  Graph g = layer_norm_gelu_graph(4, 8);
  const std::shared_ptr<const FusionMemo> first = fusion_plan(g);
  EXPECT_TRUE(same_plan(first->plan, plan_fusions(g)));
  g.initializers["w"][0] = 5.0f;
  EXPECT_EQ(fusion_plan(g), first);
  const Graph copy = g;
  EXPECT_EQ(fusion_plan(copy), first);
}

// Each mutation changes plan_fusions' result: the memo made before it is never used after,
// on the graph or on a copy made before the mutation (which shares the memo).
TEST(FusionMemo, MutatedGraphGetsAFreshPlan) {
  using Edit = std::function<void(Graph&)>;
  const auto axes_input = [](Graph& g) {  // node m's axes as a constant input
    g.nodes[0].attributes.erase("axes");
    g.nodes[0].inputs.push_back("axes");
    g.int_constants["axes"] = IntTensor{{1}, {-1}};
  };
  const std::vector<std::tuple<const char*, Edit, Edit>> cases = {
      {"inner value an output", nullptr, [](Graph& g) { g.outputs.push_back("s"); }},
      {"op", nullptr, [](Graph& g) { g.nodes[1].op = "Add"; }},
      {"input", nullptr, [](Graph& g) { g.nodes[12].inputs[0] = "g0"; }},
      {"output", nullptr, [](Graph& g) { g.nodes[13].outputs[0] = "g3"; }},
      {"keepdims", nullptr, [](Graph& g) { g.nodes[0].attributes["keepdims"] = AttributeValue{0LL}; }},
      {"axes attribute", nullptr, [](Graph& g) { g.nodes[3].attributes["axes"] = AttributeValue{std::vector<long long>{0}}; }},
      {"axes input", axes_input, [](Graph& g) { g.int_constants["axes"].values = {0}; }},
      {"value shape", nullptr, [](Graph& g) { g.shapes["m"] = {4, 8}; }},
      {"initializer shape", nullptr, [](Graph& g) { g.initializers["w"] = Tensor({2, 4}); }},
  };
  for (const auto& [what, setup, edit] : cases) {
    Graph g = layer_norm_gelu_graph(4, 8);
    if (setup) setup(g);
    const FusionPlan before = fusion_plan(g)->plan;
    Graph copy = g;
    edit(g);
    edit(copy);
    const FusionPlan fresh = plan_fusions(g);
    ASSERT_FALSE(same_plan(fresh, before)) << what << ": the edit must change the plan";
    EXPECT_TRUE(same_plan(fusion_plan(g)->plan, fresh)) << what;
    EXPECT_TRUE(same_plan(fusion_plan(copy)->plan, fresh)) << what;
  }
}

// A run after a mutation: the stale plan would skip the LayerNorm's inner value d, now an output.
TEST(FusionMemo, RunAfterAMutationGivesTheRecordedRunsOutputs) {
  Graph g = layer_norm_gelu_graph(4, 8);
  Rng rng(5);
  const Tensor x = testing::random_tensor({4, 8}, rng);
  run_on(g, x, false, 1);
  g.outputs.push_back("d");
  expect_same_outputs(run_on(g, x, false, 1), run_on(g, x, true, 1), "d an output");
}

}  // namespace
}  // namespace accsim
