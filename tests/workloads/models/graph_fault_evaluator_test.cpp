// The graph campaign's incremental evaluation (recompute only the nodes a fault can
// change) gives the same outcome, trace and predictions, bit for bit, as a full faulty
// run of the graph, for random faults of every site and kind.
#include "workloads/models/graph_fault_evaluator.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "test_util.h"
#include "workloads/run/engines.h"
#include "workloads/models/incremental_run.h"
#include "workloads/models/onnx_import.h"
#include "workloads/models/tiny_classifier.h"

namespace accsim {
namespace {

Graph tiny_graph(int batch) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("accsim_graph_fault_evaluator_" + std::to_string(::getpid()) + ".onnx")).string();
  testing::save_tiny_classifier(path);
  Graph g = load_onnx_model(path, batch);
  std::filesystem::remove(path);
  return g;
}

// A golden batch whose labels are the fault-free predictions, so that every image can turn wrong.
GraphGoldenBatch labelled_golden(const GraphFaultEvaluator& ev, const Graph& graph, std::uint64_t seed) {
  Rng rng(seed);
  const int n = graph.batch();
  GraphGoldenBatch g = ev.golden(graph, testing::random_tensor({n, 3, 8, 8}, rng, 0.0f, 1.0f), std::vector<int>(n, 0));
  g.labels = g.predictions;
  g.correct.assign(static_cast<std::size_t>(n), 1);
  return g;
}

HardwareFault random_fault(Rng& rng, const ArrayConfig& a, const GraphRun& run) {
  HardwareFault f;
  f.site = static_cast<FaultSite>(rng.below(5));
  f.kind = static_cast<FaultKind>(rng.below(3));
  f.row = static_cast<int>(rng.below(static_cast<std::uint64_t>(f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c)));
  if (f.site == FaultSite::psum) f.row = 0;
  f.col = static_cast<int>(rng.below(static_cast<std::uint64_t>(a.atomic_k)));
  // High bits often, so that errors reach the logits.
  f.bit = rng.below(2) ? 20 + static_cast<int>(rng.below(12)) : static_cast<int>(rng.below(32));
  if (!f.permanent()) {  // a job, then a cycle inside its window (or past the run, rarely)
    const LayerRun& job = run.jobs[rng.below(run.jobs.size())];
    f.cycle = rng.below(20) == 0 ? run.cycles + 5
                                 : job.start_cycle + static_cast<long long>(rng.below(static_cast<std::uint64_t>(job.timing.cycles)));
  }
  return f;
}

TEST(GraphFaultEvaluator, IncrementalEvaluationEqualsAFullFaultyRunForRandomFaultsOfEverySiteAndKind) {
  int with_effect = 0, sdc = 0, kinds[3] = {0, 0, 0};
  for (SwizzlePolicy swizzle : {SwizzlePolicy::none, SwizzlePolicy::random}) {
    ArrayConfig array = testing::preset("small");
    array.swizzle = swizzle;
    const GraphFaultEvaluator ev(array);
    const Graph full_batch = tiny_graph(3), last_batch = tiny_graph(2);
    const std::vector<GraphGoldenBatch> batches{labelled_golden(ev, full_batch, 7), labelled_golden(ev, last_batch, 8)};
    Rng rng(21 + static_cast<std::uint64_t>(swizzle));
    for (int i = 0; i < 150; ++i) {
      const HardwareFault f = random_fault(rng, array, batches[0].run);
      const PeFaults faults(array, {f});
      for (const GraphGoldenBatch& g : batches) {
        const BatchEffect fast = ev.evaluate(g, f, faults, true), full = ev.evaluate(g, f, faults, false);
        const std::string what = describe(f) + " swizzle " + to_string(swizzle) + " batch of " + std::to_string(g.size());
        EXPECT_EQ(fast.trace, full.trace) << what;
        EXPECT_EQ(fast.correct_to_wrong, full.correct_to_wrong) << what;
        EXPECT_EQ(fast.nonfinite_images, full.nonfinite_images) << what;
        EXPECT_EQ(fast.predictions, full.predictions) << what;
        EXPECT_EQ(fast.nonfinite_node, full.nonfinite_node) << what;
        if (::testing::Test::HasFailure()) return;
        for (long long t : full.trace) with_effect += t > 0;
        sdc += full.correct_to_wrong > 0;
        kinds[static_cast<int>(f.kind)] += full.trace != std::vector<long long>(full.trace.size(), 0);
      }
    }
  }
  // The faults did change things, of every kind, down to the predictions.
  EXPECT_GT(with_effect, 300);
  EXPECT_GT(sdc, 20);
  for (int k : kinds) EXPECT_GT(k, 15);
}

// A record with a NaN in some planes (image 0's input): a fault that changes other planes
// leaves a value that still holds the NaN; the scans of the changed planes alone would
// miss it, so the incremental evaluation reads such a value whole, as the full run does.
TEST(GraphFaultEvaluator, ANaNInAnUntouchedPlaneOfTheRecordIsFoundAsByAFullRun) {
  const ArrayConfig array = testing::preset("small");
  const GraphFaultEvaluator ev(array);
  const Graph graph = tiny_graph(3);
  Rng rng(9);
  Tensor images = testing::random_tensor({3, 3, 8, 8}, rng, 0.0f, 1.0f);
  images[17] = std::numeric_limits<float>::quiet_NaN();
  const GraphGoldenBatch g = ev.golden(graph, images, {0, 0, 0});
  int nonfinite = 0;
  for (int i = 0; i < 120; ++i) {
    const HardwareFault f = random_fault(rng, array, g.run);
    const PeFaults faults(array, {f});
    const BatchEffect fast = ev.evaluate(g, f, faults, true), full = ev.evaluate(g, f, faults, false);
    EXPECT_EQ(fast.trace, full.trace) << describe(f);
    EXPECT_EQ(fast.nonfinite_node, full.nonfinite_node) << describe(f);
    EXPECT_EQ(fast.nonfinite_images, full.nonfinite_images) << describe(f);
    if (::testing::Test::HasFailure()) return;
    nonfinite += full.nonfinite_node >= 0;
  }
  EXPECT_GT(nonfinite, 10);
}

TEST(GraphFaultEvaluator, TheTraceColumnsAreTheArrayNodesAndATransientStrikesTheNodeRunningAtItsCycle) {
  const ArrayConfig array = testing::preset("small");
  const GraphFaultEvaluator ev(array);
  const Graph graph = tiny_graph(2);
  EXPECT_EQ(GraphFaultEvaluator::array_nodes(graph), (std::vector<std::string>{"conv1", "conv2", "conv3", "fc"}));
  const GraphGoldenBatch g = labelled_golden(ev, graph, 3);
  const auto windows = node_cycle_windows(g.run);
  EXPECT_EQ(GraphFaultEvaluator::node_at_cycle(g, windows.at("conv3").first), 2);
  EXPECT_EQ(GraphFaultEvaluator::node_at_cycle(g, windows.at("fc").second - 1), 3);
  EXPECT_EQ(GraphFaultEvaluator::node_at_cycle(g, g.run.cycles), -1);
  // A transient past the run, and a weight stuck-at-0 of the exponent's top bit (every
  // weight is below 2, so the bit is always 0): nothing changes.
  const HardwareFault late{FaultSite::psum, 0, 1, 30, FaultKind::transient, g.run.cycles};
  const HardwareFault held{FaultSite::weight, 2, 3, 30, FaultKind::stuck_at_0, -1};
  for (const HardwareFault& f : {late, held}) {
    const PeFaults faults(array, {f});
    const BatchEffect e = ev.evaluate(g, f, faults);
    EXPECT_EQ(e.trace, std::vector<long long>(4, 0)) << describe(f);
    EXPECT_EQ(e.predictions, g.predictions) << describe(f);
  }
}

}  // namespace
}  // namespace accsim
