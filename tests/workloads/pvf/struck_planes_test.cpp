// The PVF's known changes (workloads/pvf/operand_places.h, struck_planes.h): every
// weight element's places in LeNet-5's stationary operands, none for an operand computed
// from a parameter; and reruns told the corrupted rows, with the struck fully-connected
// jobs' planes computed for several experiments in one job, give bit for bit the logits
// of full runs of the corrupted graph, under every swizzle policy.
#include "workloads/pvf/struck_planes.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include <unistd.h>

#include "arch/number_format.h"
#include "arch/random.h"
#include "test_util.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/network.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"
#include "workloads/pvf/pvf_graph_model.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

// A graph, its images' recorded runs and image 0's stationary operands and mappings.
struct Recorded {
  Graph graph;
  ArrayConfig array;
  std::vector<Tensor> images;
  std::vector<GraphRun> goldens;
  std::vector<Tensor> stationary;
  std::vector<Mapping> mappings;
};

Recorded record(Graph graph, const ArrayConfig& array, int images) {
  Recorded r{std::move(graph), array, {}, {}, {}, {}};
  Rng rng(5);
  const PeFaults healthy;
  const auto engine = make_engine("fast", array, healthy);
  for (int i = 0; i < images; ++i) {
    r.images.push_back(testing::random_tensor(r.graph.inputs[0].shape, rng, 0.0f, 1.0f));
    r.goldens.push_back(run_graph(r.graph, r.images.back(), *engine, true));
  }
  for (const LayerRun& job : r.goldens.front().jobs) {
    r.stationary.push_back(job.weights);
    r.mappings.emplace_back(job.job.shape, array, array.swizzle, job.job.swizzle_seed);
  }
  return r;
}

Recorded lenet(const ArrayConfig& array, int images) {
  return record(network_graph(lenet5(), init_parameters(lenet5(), 3), 1), array, images);
}

TEST(OperandPlaces, EveryLeNetWeightElementHasItsOnePlaceAndBiasesNone) {
  Recorded r = lenet(testing::preset("small"), 1);
  for (const std::string layer : {"conv1", "conv2", "fc1", "fc2", "fc3"}) {
    const Tensor w = r.graph.initializers.at(layer + ".weight");
    const auto places = find_operand_places(r.graph, layer + ".weight", r.images[0], r.array, r.stationary);
    ASSERT_TRUE(places) << layer;
    EXPECT_EQ(std::memcmp(w.data(), r.graph.initializers.at(layer + ".weight").data(), w.size() * sizeof(float)), 0);
    for (std::size_t e = 0; e < w.size(); ++e) {
      ASSERT_EQ(places->end(e) - places->begin(e), 1) << layer << " element " << e;
      const OperandPlace& p = *places->begin(e);
      EXPECT_EQ(r.goldens[0].jobs[p.job].node, layer);
      EXPECT_EQ(float_bits(r.stationary[p.job].data()[p.at]), float_bits(w.data()[e]));
    }
    const auto bias = find_operand_places(r.graph, layer + ".bias", r.images[0], r.array, r.stationary);
    ASSERT_TRUE(bias) << layer;
    EXPECT_EQ(bias->begin(0), bias->end(r.graph.initializers.at(layer + ".bias").size() - 1)) << layer;
  }
}

// x [N,16] -> Gemm(x, Mul(w, scale), transB) -> [N,4]: the Gemm's operand is computed from w.
Graph scaled_weight_graph() {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("accsim_scaled_" + std::to_string(::getpid()) + ".onnx")).string();
  Rng rng(2);
  std::vector<float> w(64);
  for (float& x : w) x = rng.uniform(-0.5f, 0.5f);
  testing::OnnxBuilder b;
  b.input("input", {0, 16}).output("y");
  b.floats("w", {4, 16}, w).floats("scale", {1}, {0.5f});
  b.node("Mul", {"w", "scale"}, {"ws"}, "scale");
  testing::OnnxBuilder::int_attribute(b.node("Gemm", {"input", "ws"}, {"y"}, "gemm"), "transB", 1);
  b.save(path);
  Graph g = load_onnx_model(path, 1);
  std::filesystem::remove(path);
  return g;
}

TEST(OperandPlaces, AnOperandComputedFromTheParameterHasNoPlaces) {
  Recorded r = record(scaled_weight_graph(), testing::preset("small"), 1);
  ASSERT_EQ(r.stationary.size(), 1u);
  EXPECT_FALSE(find_operand_places(r.graph, "w", r.images[0], r.array, r.stationary));
}

// Single flips (two for every fifth experiment) into `tensor`, on random images.
std::vector<Injection> random_injections(const ParameterSet& set, const std::string& tensor, int count, Rng& rng,
                                         std::vector<int>& images, int pool) {
  const auto t = static_cast<std::uint32_t>(set.find(tensor));
  std::vector<Injection> out;
  for (int i = 0; i < count; ++i) {
    Injection inj;
    for (int f = 0; f < (i % 5 == 4 ? 2 : 1); ++f) {
      ParameterFlip flip;
      flip.tensor = t;
      flip.element = rng.below(set[t].size);
      flip.old_bits = float_bits(set[t].data[flip.element]);
      flip.new_bits = flip.old_bits ^ (1u << (20 + rng.below(12)));
      inj.flips.push_back(flip);
    }
    std::sort(inj.flips.begin(), inj.flips.end(), [](const ParameterFlip& a, const ParameterFlip& b) { return a.element < b.element; });
    if (inj.flips.size() == 2 && inj.flips[0].element == inj.flips[1].element) inj.flips.pop_back();
    out.push_back(inj);
    images.push_back(static_cast<int>(rng.below(static_cast<std::uint64_t>(pool))));
  }
  return out;
}

// A group of experiments into `tensor`: with their known changes, each rerun's logits equal
// a full run's; returns how many experiments took planes computed ahead.
int expect_known_reruns_equal_full_runs(Recorded& r, const std::string& tensor, std::uint64_t seed) {
  ParameterSet set = graph_parameter_set(r.graph);
  std::vector<std::optional<OperandPlaces>> found(set.size());
  std::vector<const OperandPlaces*> places(set.size(), nullptr);
  const auto t = static_cast<std::size_t>(set.find(tensor));
  found[t] = find_operand_places(r.graph, tensor, r.images[0], r.array, r.stationary);
  places[t] = found[t] ? &*found[t] : nullptr;
  Rng rng(seed);
  std::vector<int> images;
  const std::vector<Injection> injections = random_injections(set, tensor, 24, rng, images, static_cast<int>(r.images.size()));
  std::vector<const GraphRun*> goldens;
  for (int i : images) goldens.push_back(&r.goldens[static_cast<std::size_t>(i)]);
  const auto known = struck_changes({r.array, r.stationary, r.mappings, places}, goldens, injections);
  const PeFaults healthy;
  const auto engine = make_engine("fast", r.array, healthy);
  int ahead = 0;
  for (std::size_t k = 0; k < injections.size(); ++k) {
    EXPECT_TRUE(known[k]) << tensor;
    ahead += known[k] && !known[k]->planes.empty();
    RerunScope scope;
    scope.changed_initializers = {tensor};
    const Tensor& image = r.images[static_cast<std::size_t>(images[k])];
    injections[k].while_applied(set, [&] {
      PlaneRerunEngine planes(r.array, healthy, *goldens[k], r.stationary, r.mappings, known[k] ? &*known[k] : nullptr);
      const Tensor got = rerun_graph(r.graph, *goldens[k], planes, scope).outputs.at(0);
      const Tensor want = run_graph(r.graph, image, *engine, false).outputs.at(0);
      EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0)
          << tensor << " experiment " << k << " " << to_string(r.array.swizzle);
    });
  }
  return ahead;
}

TEST(StruckPlanes, KnownChangesAndPlanesComputedAheadEqualFullRunsUnderEverySwizzle) {
  for (const SwizzlePolicy policy : {SwizzlePolicy::none, SwizzlePolicy::rotate, SwizzlePolicy::xor_, SwizzlePolicy::random}) {
    ArrayConfig array = testing::preset("small");
    array.swizzle = policy;
    Recorded r = lenet(array, 6);
    std::uint64_t seed = 11;
    for (const std::string tensor : {"conv1.weight", "conv2.weight", "conv2.bias"}) {
      EXPECT_EQ(expect_known_reruns_equal_full_runs(r, tensor, ++seed), 0) << tensor;  // conv jobs: rows only
    }
    int ahead = 0;
    for (const std::string tensor : {"fc1.weight", "fc2.weight", "fc3.weight"})
      ahead += expect_known_reruns_equal_full_runs(r, tensor, ++seed);
    if (policy == SwizzlePolicy::none) {
      EXPECT_EQ(ahead, 3 * 24) << "every fully-connected experiment's planes ahead";
    }
  }
}

}  // namespace
}  // namespace accsim
