// The built-in and config networks as graphs (network_graph) run bit for bit as the
// chain (run_network) on both engines: every job's name, kind, shape, swizzle seed,
// start cycle, timing and output, and the logits, with faults of every site and kind
// (stuck-at and transient), every swizzle policy, every number format and activation
// clipping; and the graph names its nodes and parameters after the layers.
#include "workloads/models/network_graph.h"

#include <gtest/gtest.h>

#include <set>

#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/inference.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::count_bit_differences;

Network config_network(const nlohmann::json& spec) {
  const nlohmann::json j = {{"network", spec}};
  ConfigReader r(j, "test.json", "");
  return parse_network(r, "network");
}

// A 3x12x10 input, a strided, padded and pooled conv, a conv without ReLU, two fc layers.
Network mixed_network() {
  return config_network({{"name", "mixed"},
                         {"input", {3, 12, 10}},
                         {"layers",
                          {{{"name", "a"}, {"type", "conv"}, {"out_channels", 5}, {"kernel", 3}, {"stride", 2}, {"pad", 1}, {"pool", 2}},
                           {{"name", "b"}, {"type", "conv"}, {"out_channels", 4}, {"kernel", 1}, {"relu", false}},
                           {{"name", "c"}, {"type", "fc"}, {"out_features", 7}},
                           {{"name", "d"}, {"type", "fc"}, {"out_features", 3}}}}});
}

// Convolutions only: the logits are the last conv's pooled output, flattened.
Network conv_only_network() {
  return config_network({{"name", "convs"},
                         {"input", {2, 9, 9}},
                         {"layers",
                          {{{"name", "c1"}, {"type", "conv"}, {"out_channels", 9}, {"kernel", 2}},
                           {{"name", "c2"}, {"type", "conv"}, {"out_channels", 3}, {"kernel", 3}, {"pool", 3}, {"relu", true}}}}});
}

// Seeded weights and non-zero biases (the seeded initialisation's are zero).
NetworkParameters parameters(const Network& net, std::uint64_t seed) {
  NetworkParameters p = init_parameters(net, seed);
  Rng rng(seed + 1);
  for (Tensor& b : p.biases) b = testing::random_tensor(b.shape(), rng, -0.2f, 0.2f);
  return p;
}

struct Case {
  Network net;
  int batch = 1;
  ArrayConfig array;
  std::string engine;
};

// `count` faults, the i-th of (site, kind) pair `first + i` of the 15, on random PEs
// (mostly on rows and columns the layers use) and bits inside the site's width;
// transients at random cycles of the fault-free run.
std::vector<HardwareFault> faults_for(const ArrayConfig& a, int first, int count, long long cycles, Rng& rng) {
  std::vector<HardwareFault> faults;
  for (int i = 0; i < count; ++i) {
    HardwareFault f;
    const int pair = (first + i) % 15;
    f.site = static_cast<FaultSite>(pair / 3);
    f.kind = static_cast<FaultKind>(pair % 3);
    f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(f.site == FaultSite::accumulator ? a.stripe_length : 3)));
    if (f.site == FaultSite::psum) f.row = 0;
    f.col = static_cast<int>(rng.below(3));
    f.bit = static_cast<int>(rng.below(static_cast<std::uint64_t>(site_bit_width(f.site, a.datatype))));
    if (f.kind == FaultKind::transient) f.cycle = static_cast<long long>(rng.below(static_cast<std::uint64_t>(cycles)));
    faults.push_back(f);
  }
  return faults;
}

// Runs the case with `faults` both ways and compares everything; returns the chain's run.
NetworkRun expect_same_runs(const Case& c, const NetworkParameters& params, const Tensor& images,
                            const std::vector<HardwareFault>& faults, const std::string& what) {
  const PeFaults pe(c.array, faults);
  const NetworkRun chain = run_network(c.net, params, images, *make_engine(c.engine, c.array, pe));
  const GraphRun graph = run_graph(network_graph(c.net, params, c.batch), images, *make_engine(c.engine, c.array, pe), true);
  EXPECT_EQ(graph.jobs.size(), chain.layers.size()) << what;
  if (graph.jobs.size() != chain.layers.size()) return chain;
  for (std::size_t i = 0; i < chain.layers.size(); ++i) {
    const LayerRun &want = chain.layers[i], &got = graph.jobs[i];
    const std::string where = what + " layer " + want.job.layer;
    EXPECT_EQ(got.job.layer, want.job.layer) << where;
    EXPECT_EQ(got.node, want.job.layer) << where;
    EXPECT_EQ(got.job.kind, want.job.kind) << where;
    const ConvShape &a = got.job.shape, &b = want.job.shape;
    EXPECT_EQ(std::vector<int>({a.n, a.c, a.h, a.w, a.k, a.r, a.s, a.stride, a.pad}),
              std::vector<int>({b.n, b.c, b.h, b.w, b.k, b.r, b.s, b.stride, b.pad})) << where;
    EXPECT_EQ(got.job.swizzle_seed, want.job.swizzle_seed) << where;
    EXPECT_EQ(got.start_cycle, want.start_cycle) << where;
    EXPECT_EQ(got.timing, want.timing) << where;
    EXPECT_EQ(count_bit_differences(got.input, want.input), 0) << where;
    EXPECT_EQ(count_bit_differences(got.output, want.output), 0) << where;
  }
  EXPECT_EQ(graph.cycles, chain.cycles) << what;
  EXPECT_EQ(graph.outputs.at(0).shape(), chain.logits.shape()) << what;
  EXPECT_EQ(count_bit_differences(graph.outputs.at(0), chain.logits), 0) << what;
  return chain;
}

std::vector<Case> cases() {
  const Network nets[] = {lenet5(), alexnet28(), mlp(), mixed_network(), conv_only_network()};
  const int batches[] = {1, 1, 2, 3, 2};
  const ClipMode clips[] = {ClipMode::none, ClipMode::saturate, ClipMode::zero};
  std::vector<Case> all;
  for (int n = 0; n < 5; ++n)
    for (int t = 0; t < 4; ++t) {  // every network on every format, swizzle, clip mode and engine
      Case c{nets[n], batches[n], testing::preset("small"), (n + t) % 2 ? "cycle" : "fast"};
      c.array.datatype = static_cast<DataType>(t);
      c.array.swizzle = static_cast<SwizzlePolicy>((n + t) % 4);
      c.net.clip = {clips[(n + t) % 3], 0.5f};
      all.push_back(c);
    }
  return all;
}

TEST(NetworkGraph, RunsBitForBitAsTheChainOnBothEnginesWithEveryFaultSwizzleFormatAndClip) {
  std::set<std::pair<FaultSite, FaultKind>> covered;
  std::set<std::string> engines, swizzles, clips;
  int with_effect = 0, index = 0;
  for (const Case& c : cases()) {
    Rng rng(0x6e6574 + index);
    const NetworkParameters params = parameters(c.net, 11 + index);
    const Tensor images = testing::random_tensor({c.batch, c.net.channels, c.net.height, c.net.width}, rng, 0.0f, 1.0f);
    const std::string what = c.net.name + " " + to_string(c.array.datatype) + " " + to_string(c.array.swizzle) + " " + c.engine;
    const NetworkRun healthy = expect_same_runs(c, params, images, {}, what + " fault-free");
    const auto faults = faults_for(c.array, index * 4, 4, healthy.cycles, rng);
    const NetworkRun faulty = expect_same_runs(c, params, images, faults, what + " faulty");
    if (::testing::Test::HasFailure()) return;
    with_effect += count_bit_differences(healthy.logits, faulty.logits) > 0;
    for (const auto& f : faults) covered.insert({f.site, f.kind});
    engines.insert(c.engine);
    swizzles.insert(to_string(c.array.swizzle));
    clips.insert(std::to_string(static_cast<int>(c.net.clip.mode)));
    ++index;
  }
  EXPECT_EQ(covered.size(), 15u);  // every site with every kind
  EXPECT_EQ(engines.size() + swizzles.size() + clips.size(), 2u + 4u + 3u);
  EXPECT_GT(with_effect, 10) << "the faults must change the logits of most cases";
}

TEST(NetworkGraph, ClippingActsOnTheGraphsRelusAsOnTheChains) {
  Case c{lenet5(), 1, testing::preset("small"), "fast"};
  const NetworkParameters params = parameters(c.net, 3);
  Rng rng(4);
  const Tensor image = testing::random_tensor({1, 1, 28, 28}, rng, 0.0f, 1.0f);
  const NetworkRun plain = expect_same_runs(c, params, image, {}, "no clip");
  for (ClipMode mode : {ClipMode::saturate, ClipMode::zero}) {
    c.net.clip = {mode, 0.05f};
    const NetworkRun clipped = expect_same_runs(c, params, image, {}, "clip");
    EXPECT_GT(count_bit_differences(plain.logits, clipped.logits), 0) << "the threshold must bite";
  }
}

TEST(NetworkGraph, NamesNodesAndParametersAfterTheLayers) {
  const Network net = lenet5();
  const NetworkParameters params = init_parameters(net, 1);
  const Graph g = network_graph(net, params, 4);
  std::vector<std::string> ops;
  for (const Node& n : g.nodes) ops.push_back(n.name + ":" + n.op);
  EXPECT_EQ(ops, (std::vector<std::string>{"conv1:Conv", "conv1.relu:Relu", "conv1.pool:MaxPool", "conv2:Conv",
                                           "conv2.relu:Relu", "conv2.pool:MaxPool", "fc1.flatten:Flatten", "fc1:Gemm",
                                           "fc1.relu:Relu", "fc2:Gemm", "fc2.relu:Relu", "fc3:Gemm"}));
  EXPECT_EQ(g.initializers.at("conv2.weight").shape(), (std::vector<int>{16, 6, 5, 5}));
  EXPECT_EQ(g.initializers.at("fc1.weight").shape(), (std::vector<int>{120, 256}));
  EXPECT_EQ(g.initializers.at("fc3.bias").shape(), (std::vector<int>{10}));
  EXPECT_EQ(g.inputs.at(0).shape, (std::vector<int>{4, 1, 28, 28}));
  EXPECT_EQ(g.outputs, (std::vector<std::string>{"logits"}));
  EXPECT_EQ(g.shape_of("logits"), (std::vector<int>{4, 10}));
  EXPECT_EQ(g.initializers.size(), 10u);
}

TEST(NetworkGraph, ParametersOfAnotherNetworkAreRefused) {
  EXPECT_THROW(network_graph(lenet5(), init_parameters(mlp(), 1), 1), std::invalid_argument);
  EXPECT_THROW(network_graph(lenet5(), init_parameters(lenet5(), 1), 0), std::invalid_argument);
}

}  // namespace
}  // namespace accsim
