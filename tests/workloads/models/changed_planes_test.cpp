// A rerun that tracks which planes of each value differ from the record (a region Conv's
// bias, Relu and MaxPool run on those planes alone, values kept as patches) gives every
// value bit for bit as a full faulty run of the graph, and says exactly which planes
// differ; the plane helpers agree with their whole-tensor references.
#include "workloads/models/changed_planes.h"

#include <gtest/gtest.h>

#include <string>

#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/run/engines.h"
#include "workloads/models/graph_fault_evaluator.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/network.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/plane_rerun_engine.h"

namespace accsim {
namespace {

// [2, 3, 2, 2]: planes 0..5; `b` differs from `a` in planes 1 and 4.
struct PlanePair {
  Tensor a, b;
  PlanePair() {
    Rng rng(3);
    a = testing::random_tensor({2, 3, 2, 2}, rng);
    b = a;
    b[1 * 4 + 2] = -b[1 * 4 + 2];
    b[4 * 4 + 0] = bits_float(0x7fc00001u);  // a NaN
  }
};

TEST(ChangedPlanes, PlanesAreTheFirstTwoDimensionsOfValuesOfRankThreeAndMore) {
  EXPECT_EQ(plane_count({2, 3, 4, 5}), 6u);
  EXPECT_EQ(plane_count({2, 3, 4}), 6u);
  EXPECT_EQ(plane_count({2, 3}), 0u);
  const PlanePair p;
  EXPECT_EQ(differing_planes(p.a, p.b), (PlaneList{1, 4}));
  const PlaneList among{0, 1, 2};
  EXPECT_EQ(differing_planes(p.a, p.b, &among), (PlaneList{1}));
  EXPECT_EQ(differing_planes(p.a, p.a), PlaneList{});
  EXPECT_THROW(differing_planes(p.a.reshaped({6, 4}), p.b.reshaped({6, 4})), std::invalid_argument);
}

TEST(ChangedPlanes, StackedPlanesPutTogetherWithTheRecordGiveTheValue) {
  const PlanePair p;
  const PlaneList planes{1, 3, 4};
  const Tensor stacked = gather_planes(p.b, planes);
  EXPECT_EQ(stacked.shape(), (std::vector<int>{1, 3, 2, 2}));
  EXPECT_EQ(testing::count_bit_differences(with_planes(p.a, stacked, planes), p.b), 0);
  const std::vector<std::size_t> rows = differing_rows(stacked, p.a, planes);
  EXPECT_EQ(rows, (std::vector<std::size_t>{0, 2}));  // planes 1 and 4
  const Tensor kept = keep_rows(stacked, rows);
  EXPECT_EQ(kept.shape(), (std::vector<int>{1, 2, 2, 2}));
  EXPECT_EQ(testing::count_bit_differences(kept, gather_planes(p.b, PlaneList{1, 4})), 0);
  EXPECT_EQ(keep_rows(stacked, {0, 1, 2}).shape(), stacked.shape());
  EXPECT_THROW(with_planes(p.a, stacked, PlaneList{1, 3}), std::invalid_argument);
  const PlaneList every{0, 1, 2, 3, 4, 5};
  const Tensor taken = with_planes(p.a, gather_planes(p.b, every), every);  // taken over, not copied
  EXPECT_EQ(taken.shape(), p.b.shape());
  EXPECT_EQ(testing::count_bit_differences(taken, p.b), 0);
}

TEST(ChangedPlanes, ScansOfTheDifferingPlanesAreTheWholeScans) {
  const PlanePair p;
  const ValueScan whole = scan_values(p.b, p.a);
  for (const PlaneList& planes : {PlaneList{1, 4}, PlaneList{0, 1, 2, 4}, PlaneList{1, 2, 3, 4, 5}}) {
    for (const ValueScan s : {scan_planes(p.b, p.a, planes), scan_stacked(gather_planes(p.b, planes), p.a, planes)}) {
      EXPECT_EQ(s.differences, whole.differences);
      EXPECT_EQ(s.nonfinite, whole.nonfinite);
    }
  }
  EXPECT_EQ(whole.differences, 2);
  EXPECT_TRUE(whole.nonfinite);
}

TEST(ChangedPlanes, TheImagesOfPlanesAreTheirFirstIndex) {
  EXPECT_EQ(images_of(PlaneList{1, 2, 7}, {3, 3, 4, 4}), (std::vector<char>{1, 0, 1}));
  EXPECT_EQ(images_of(PlaneList{}, {2, 3, 4, 4}), (std::vector<char>{0, 0}));
}

TEST(ChangedPlanes, EachPlaneGetsItsChannelsEntry) {
  Tensor bias({3});
  bias.values() = {0.5f, 1.5f, 2.5f};
  const Tensor values = plane_channel_values(bias, PlaneList{0, 2, 4, 5});  // channels 0, 2, 1, 2
  EXPECT_EQ(values.values(), (std::vector<float>{0.5f, 2.5f, 1.5f, 2.5f}));
}

TEST(ChangedPlanes, OnlyReluAndMaxPoolWithOneInputAndOutputArePlaneLocal) {
  Node node;
  node.inputs = {"x"};
  node.outputs = {"y"};
  for (const char* op : {"Relu", "MaxPool"}) {
    node.op = op;
    EXPECT_TRUE(plane_local(node)) << op;
  }
  for (const char* op : {"Sigmoid", "AveragePool", "Conv", "Add"}) {
    node.op = op;
    EXPECT_FALSE(plane_local(node)) << op;
  }
  node.op = "Relu";
  node.outputs.push_back("z");
  EXPECT_FALSE(plane_local(node));
}

// The value `name` a rerun leaves: changed, a patch put together with the record, or the record's.
Tensor rerun_value(const Rerun& r, const GraphRun& golden, const std::string& name) {
  if (const auto c = r.changed.find(name); c != r.changed.end()) return c->second;
  if (const auto p = r.patches.find(name); p != r.patches.end())
    return with_planes(golden.values.at(name), p->second, r.planes.at(name));
  return golden.values.at(name);
}

HardwareFault random_fault(Rng& rng, const ArrayConfig& a, const GraphRun& run) {
  HardwareFault f;
  f.site = static_cast<FaultSite>(rng.below(5));
  f.kind = static_cast<FaultKind>(rng.below(3));
  f.row = f.site == FaultSite::psum ? 0 : static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_c)));
  f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_k)));
  const int width = site_bit_width(f.site, a.datatype);  // high bits often: their change shows
  f.bit = rng.below(2) ? width - 1 - static_cast<int>(rng.below(6)) : static_cast<int>(rng.below(static_cast<std::uint64_t>(width)));
  if (!f.permanent()) {
    const LayerRun& job = run.jobs[rng.below(run.jobs.size())];
    f.cycle = job.start_cycle + static_cast<long long>(rng.below(static_cast<std::uint64_t>(job.timing.cycles)));
  }
  return f;
}

// What the faults below did: reruns that kept a patch of some planes, not all; Conv nodes
// recomputed that came out as recorded.
struct Coverage {
  int partial_patches = 0;
  int unchanged_convs = 0;
};

// The plane rerun of `f` on `g`, with and without patches, against the full faulty run.
void expect_rerun_equals_full_run(const ArrayConfig& array, const GraphGoldenBatch& g, const HardwareFault& f,
                                  Coverage& seen) {
  const PeFaults faults(array, {f});
  FastEngine fast(array, faults);
  const GraphRun full = run_graph(*g.graph, g.run.values.at("input"), fast, true);
  for (const bool keep : {true, false}) {
    PlaneRerunEngine engine(array, faults, g.run, g.stationary, g.mappings);
    RerunScope scope;
    scope.planes = &engine;
    scope.keep_patches = keep;
    scope.engine_touches = [](const Node&) { return true; };
    const Rerun r = rerun_graph(*g.graph, g.run, engine, scope);
    if (!keep) {
      EXPECT_TRUE(r.patches.empty());
    }
    for (const Node& node : g.graph->nodes) {
      const std::string& name = node.outputs[0];
      const std::string what = describe(f) + " batch " + std::to_string(g.size()) + " node " + name;
      const Tensor& want = full.values.at(name);
      ASSERT_EQ(testing::count_bit_differences(rerun_value(r, g.run, name), want), 0) << what;
      if (plane_count(want.shape()) == 0) continue;
      const PlaneList differ = differing_planes(want, g.run.values.at(name));
      const auto planes = r.planes.find(name);
      EXPECT_EQ(planes == r.planes.end() ? PlaneList{} : planes->second, differ) << what;
      if (keep && r.patches.count(name) && differ.size() < plane_count(want.shape())) ++seen.partial_patches;
      if (keep && node.op == "Conv" && differ.empty()) ++seen.unchanged_convs;
    }
  }
}

// LeNet-5 with seeded weights and biases (init_parameters' are zero).
Graph lenet5_graph(int batch) {
  const Network net = lenet5();
  NetworkParameters params = init_parameters(net, 4);
  Rng rng(8);
  for (Tensor& bias : params.biases) bias = testing::random_tensor(bias.shape(), rng, -0.1f, 0.1f);
  return network_graph(net, params, batch);
}

// Every number format: a region's planes (the others left unset, poisoned in tests) are
// all that is read of its output.
TEST(ChangedPlanes, APlaneRerunGivesEveryValueAndItsDifferingPlanesAsAFullRun) {
  for (const DataType type : {DataType::fp32, DataType::fp16, DataType::bf16, DataType::int8}) {
    ArrayConfig array = testing::preset("small");
    array.datatype = type;
    const GraphFaultEvaluator ev(array);
    Coverage seen;
    for (const int batch : {1, 3}) {
      const Graph graph = lenet5_graph(batch);
      Rng rng(static_cast<std::uint64_t>(batch));
      const GraphGoldenBatch g = ev.golden(graph, testing::random_tensor({batch, 1, 28, 28}, rng, 0.0f, 1.0f),
                                           std::vector<int>(static_cast<std::size_t>(batch), 0));
      for (int i = 0; i < 40 && !::testing::Test::HasFailure(); ++i)
        expect_rerun_equals_full_run(array, g, random_fault(rng, array, g.run), seen);
    }
    EXPECT_GT(seen.partial_patches, 20) << to_string(type);  // one column's channels, one image's planes
    EXPECT_GT(seen.unchanged_convs, 5) << to_string(type);   // a change that does not reach a Conv's output
  }
}

// A Conv whose bias differs from the record's (a corrupted parameter, PVF) differs in every
// plane of the bias's channel, though its job computes none: the plane rerun then adds
// the bias to the whole output, as the full run.
TEST(ChangedPlanes, AConvWithAChangedBiasDiffersInEveryPlaneOfItsChannel) {
  const ArrayConfig array = testing::preset("small");
  const GraphFaultEvaluator ev(array);
  Graph graph = lenet5_graph(2);
  Rng rng(5);
  const GraphGoldenBatch g = ev.golden(graph, testing::random_tensor({2, 1, 28, 28}, rng, 0.0f, 1.0f), {0, 0});
  Tensor& bias = graph.initializers.at("conv1.bias");
  bias[1] = bits_float(float_bits(bias[1]) ^ (1u << 30));
  const PeFaults none;
  PlaneRerunEngine engine(array, none, g.run, g.stationary, g.mappings);
  RerunScope scope;
  scope.planes = &engine;
  scope.keep_patches = true;
  scope.changed_initializers = {"conv1.bias"};
  const Rerun r = rerun_graph(graph, g.run, engine, scope);
  FastEngine fast(array, none);
  const GraphRun full = run_graph(graph, g.run.values.at("input"), fast, true);
  for (const Node& node : graph.nodes)
    EXPECT_EQ(testing::count_bit_differences(rerun_value(r, g.run, node.outputs[0]), full.values.at(node.outputs[0])), 0)
        << node.name;
  EXPECT_EQ(r.planes.at("conv1"), (PlaneList{1, 7}));  // channel 1 of images 0 and 1 (6 channels)
}

}  // namespace
}  // namespace accsim
