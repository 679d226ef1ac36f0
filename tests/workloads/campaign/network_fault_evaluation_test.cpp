// A campaign on a built-in network (LeNet-5 as a graph, network_graph.h): the shortcut
// (recorded fault-free run; recompute only the nodes, and of them the planes, a fault
// can change) gives the same results, bit for bit, as rerunning the whole network with
// the fault, with the network's clipped activations and under swizzling. (Formerly the
// chain evaluator's tests; the network now runs through the graph evaluator.)
#include "workloads/models/graph_fault_evaluator.h"

#include <gtest/gtest.h>

#include <memory>

#include "arch/job_timing.h"
#include "test_util.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/value_scan.h"

namespace accsim {
namespace {

using testing::preset;

struct Fixture {
  ArrayConfig array;
  Network net = lenet5();
  NetworkParameters params;
  std::vector<std::unique_ptr<Graph>> graphs;  // the golden batches point into them
  std::vector<GraphGoldenBatch> batches;
  Fixture(SwizzlePolicy swizzle, std::uint64_t seed) : array(preset("small")) {
    array.swizzle = swizzle;
    if (swizzle == SwizzlePolicy::random) net.clip = {ClipMode::saturate, 0.5f};  // the shortcut's activations clip too
    params = init_parameters(net, seed);
  }
  // The fault-free records of a full batch and a smaller last one.
  void record(std::uint64_t seed) {
    const GraphFaultEvaluator ev(array);
    Rng rng(seed + 11);
    for (int n : {3, 2}) {
      graphs.push_back(std::make_unique<Graph>(network_graph(net, params, n)));
      const Tensor images = testing::random_tensor({n, 1, 28, 28}, rng, 0.0f, 1.0f);
      std::vector<int> labels;
      for (int i = 0; i < n; ++i) labels.push_back(static_cast<int>(rng.below(10)));
      batches.push_back(ev.golden(*graphs.back(), images, labels));
    }
    // Some labels equal the fault-free prediction, so that SDCs can happen.
    for (auto& b : batches) b.labels[0] = b.predictions[0], b.correct[0] = 1;
  }
};

HardwareFault random_fault(Rng& rng, const ArrayConfig& a, const GraphRun& run, bool transient) {
  HardwareFault f;
  f.site = static_cast<FaultSite>(rng.below(5));
  f.kind = transient ? FaultKind::transient : static_cast<FaultKind>(rng.below(2));
  f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c)));
  if (f.site == FaultSite::psum) f.row = 0;
  f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_k)));
  // High bits often, so that errors propagate to the logits.
  f.bit = rng.below(2) ? 20 + static_cast<int>(rng.below(12)) : static_cast<int>(rng.below(32));
  if (transient) {  // a layer, then a cycle inside its window (or past the run, rarely)
    const LayerRun& l = run.jobs[rng.below(run.jobs.size())];
    f.cycle = rng.below(20) == 0 ? run.cycles + 5 : l.start_cycle + static_cast<long long>(rng.below(static_cast<std::uint64_t>(l.timing.cycles)));
  }
  return f;
}

BatchEffect evaluate(const Fixture& fx, const GraphGoldenBatch& g, const HardwareFault& f, bool shortcut = true) {
  return GraphFaultEvaluator(fx.array).evaluate(g, f, PeFaults(fx.array, {f}), shortcut);
}

// Returns how many (fault, batch) pairs changed some layer output.
int expect_shortcut_equals_full(bool transient, int faults, std::uint64_t seed) {
  int with_effect = 0;
  for (SwizzlePolicy swizzle : {SwizzlePolicy::none, SwizzlePolicy::random}) {
    Fixture fx(swizzle, seed);
    fx.record(seed);
    Rng rng(seed * 7 + static_cast<std::uint64_t>(swizzle));
    for (int i = 0; i < faults; ++i) {
      const HardwareFault f = random_fault(rng, fx.array, fx.batches[0].run, transient);
      for (const GraphGoldenBatch& g : fx.batches) {
        const BatchEffect fast = evaluate(fx, g, f, true), full = evaluate(fx, g, f, false);
        const std::string what = describe(f) + " swizzle " + to_string(swizzle) + " batch of " + std::to_string(g.size());
        EXPECT_EQ(fast.trace, full.trace) << what;
        EXPECT_EQ(fast.correct_to_wrong, full.correct_to_wrong) << what;
        EXPECT_EQ(fast.nonfinite_images, full.nonfinite_images) << what;
        EXPECT_EQ(fast.predictions, full.predictions) << what;
        if (::testing::Test::HasFailure()) return with_effect;
        for (long long t : full.trace) with_effect += t > 0 ? 1 : 0;
      }
    }
  }
  return with_effect;
}

TEST(NetworkFaultEvaluation, TransientShortcutIsBitIdenticalToRecomputingEveryLayer) {
  EXPECT_GT(expect_shortcut_equals_full(true, 60, 21), 40);
}

TEST(NetworkFaultEvaluation, StuckAtShortcutIsBitIdenticalToRecomputingEveryLayer) {
  EXPECT_GT(expect_shortcut_equals_full(false, 30, 22), 60);
}

// The node where a fault first makes a NaN or Inf that the fault-free run does not have,
// against a scan of every value of the faulty run (the evaluator skips the scans of
// Relu, MaxPool and Flatten outputs whose inputs are finite).
TEST(NetworkFaultEvaluation, TheFirstNonFiniteNodeIsTheOneAFullScanFinds) {
  Fixture fx(SwizzlePolicy::none, 31);
  fx.record(31);
  const GraphFaultEvaluator ev(fx.array);
  Rng rng(32);
  int crashes = 0;
  for (int i = 0; i < 80; ++i) {
    HardwareFault f = random_fault(rng, fx.array, fx.batches[0].run, false);
    f.kind = FaultKind::stuck_at_1;
    f.bit = 28 + static_cast<int>(rng.below(3));  // exponent bits: values blow up or turn into NaN/Inf
    const GraphGoldenBatch& g = fx.batches[0];
    const PeFaults faults(fx.array, {f});
    const GraphRun full = ev.full_run(g, faults);
    int want = -1;
    for (std::size_t k = 0; k < g.graph->nodes.size() && want < 0; ++k)
      for (const std::string& out : g.graph->nodes[k].outputs) {
        const Tensor& v = full.values.at(out);
        if (any_nonfinite(v.data(), v.size()) && testing::count_bit_differences(v, g.run.values.at(out)) > 0)
          want = static_cast<int>(k);
      }
    EXPECT_EQ(evaluate(fx, g, f, true).nonfinite_node, want) << describe(f);
    EXPECT_EQ(evaluate(fx, g, f, false).nonfinite_node, want) << describe(f);
    crashes += want >= 0;
  }
  EXPECT_GT(crashes, 5);
}

TEST(NetworkFaultEvaluation, ATransientPastTheRunOrInAStallChangesNothing) {
  Fixture fx(SwizzlePolicy::none, 3);
  fx.record(3);
  const GraphGoldenBatch& g = fx.batches[0];
  HardwareFault f{FaultSite::psum, 0, 1, 30, FaultKind::transient, g.run.cycles};
  EXPECT_EQ(GraphFaultEvaluator::node_at_cycle(g, f.cycle), -1);
  EXPECT_EQ(evaluate(fx, g, f).trace, std::vector<long long>(fx.net.layers.size(), 0));
  f.cycle = 0;  // the first weight load: the array computes nothing, a wire fault hits nothing
  EXPECT_EQ(evaluate(fx, g, f).trace, std::vector<long long>(fx.net.layers.size(), 0));
}

TEST(NetworkFaultEvaluation, WeightStuckAtOfTheTopExponentBitGivesNonFiniteLogitsOnEveryPe) {
  // Every PE of the 8x8 array holds weights of fc1 ([120, 256]); forcing bit 30 turns
  // them into ~1e37 and the logits into Inf/NaN: a crash, reported, never an abort.
  Fixture fx(SwizzlePolicy::none, 4);
  fx.record(4);
  for (int row = 0; row < 8; ++row)
    for (int col = 0; col < 8; ++col) {
      const HardwareFault f{FaultSite::weight, row, col, 30, FaultKind::stuck_at_1, -1};
      const BatchEffect e = evaluate(fx, fx.batches[0], f);
      EXPECT_GT(e.nonfinite_images, 0) << describe(f);
      EXPECT_GT(e.trace[2], 0) << describe(f);  // fc1's outputs differ
    }
}

TEST(NetworkFaultEvaluation, AWeightStuckAtOnAnFp16ArrayIsJudgedOnTheRegisterWordNotTheFp32Value) {
  // Every weight is 0.75: fp32 0x3F400000 (bit 11 clear), fp16 0x3A00 (bit 11 set). A
  // stuck-at-0 on bit 11 of an fp16 weight register turns 0.75 into 0.1875, so conv1
  // changes; judging the fp32 bits would skip the layer.
  Fixture fx(SwizzlePolicy::none, 5);
  fx.array.datatype = DataType::fp16;
  for (Tensor& w : fx.params.weights) std::fill(w.values().begin(), w.values().end(), 0.75f);
  const Graph graph = network_graph(fx.net, fx.params, 2);
  Rng rng(6);
  const GraphGoldenBatch g =
      GraphFaultEvaluator(fx.array).golden(graph, testing::random_tensor({2, 1, 28, 28}, rng, 0.0f, 1.0f), {0, 1});
  const HardwareFault f{FaultSite::weight, 0, 0, 11, FaultKind::stuck_at_0, -1};
  const BatchEffect fast = evaluate(fx, g, f, true), full = evaluate(fx, g, f, false);
  EXPECT_GT(full.trace[0], 0);
  EXPECT_EQ(fast.trace, full.trace);
}

}  // namespace
}  // namespace accsim
