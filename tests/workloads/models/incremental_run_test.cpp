// The incremental rerun is bit-identical to a full run of the graph, for corrupted
// parameters, permanent faults and transients, and recomputes less.
#include "workloads/models/incremental_run.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "arch/number_format.h"
#include "arch/pe_faults.h"
#include "test_util.h"
#include "workloads/run/engines.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/onnx_import.h"

namespace accsim {
namespace {

using testing::OnnxBuilder;

// conv1 -> relu -> conv2 -> add(relu, conv2) -> global average pool -> flatten -> fc
Graph residual_graph() {
  Rng rng(5);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-0.5f, 0.5f);
    return v;
  };
  OnnxBuilder b;
  b.input("x", {0, 3, 8, 8}).output("y");
  b.floats("conv1.weight", {8, 3, 3, 3}, values(216)).floats("conv1.bias", {8}, values(8));
  b.floats("conv2.weight", {8, 8, 3, 3}, values(576)).floats("fc.weight", {10, 8}, values(80)).floats("fc.bias", {10}, values(10));
  for (const char* conv : {"conv1", "conv2"}) {
    const std::string in = std::string(conv) == "conv1" ? "x" : "r";
    std::vector<std::string> inputs{in, std::string(conv) + ".weight"};
    if (std::string(conv) == "conv1") inputs.push_back("conv1.bias");
    auto& n = b.node("Conv", inputs, {std::string(conv) + "_out"}, conv);
    OnnxBuilder::ints_attribute(n, "pads", {1, 1, 1, 1});
    if (std::string(conv) == "conv1") b.node("Relu", {"conv1_out"}, {"r"}, "relu");
  }
  b.node("Add", {"r", "conv2_out"}, {"sum"}, "add");
  b.node("GlobalAveragePool", {"sum"}, {"pooled"}, "pool");
  b.node("Flatten", {"pooled"}, {"flat"}, "flatten");
  auto& fc = b.node("Gemm", {"flat", "fc.weight", "fc.bias"}, {"y"}, "fc");
  OnnxBuilder::int_attribute(fc, "transB", 1);
  const std::string path = (std::filesystem::temp_directory_path() / ("accsim_incremental_" + std::to_string(::getpid()) + ".onnx")).string();
  b.save(path);
  Graph g = load_onnx_model(path, 2);
  std::filesystem::remove(path);
  return g;
}

Tensor images() {
  Rng rng(6);
  return testing::random_tensor({2, 3, 8, 8}, rng);
}

TEST(IncrementalRun, CorruptedParameterMatchesFullRunAndSkipsUpstreamNodes) {
  Graph g = residual_graph();
  const ArrayConfig array = testing::preset("small");
  const PeFaults none;
  FastEngine engine(array, none);
  const GraphRun golden = run_graph(g, images(), engine, true);
  float& w = g.initializers.at("conv2.weight")[7];
  std::uint32_t bits;
  std::memcpy(&bits, &w, 4);
  bits ^= 1u << 29;
  std::memcpy(&w, &bits, 4);
  RerunScope scope;
  scope.changed_initializers = {"conv2.weight"};
  const Rerun fast = rerun_graph(g, golden, engine, scope);
  const GraphRun full = run_graph(g, images(), engine, false);
  EXPECT_EQ(testing::count_bit_differences(fast.outputs.at(0), full.outputs.at(0)), 0);
  EXPECT_GT(testing::count_bit_differences(fast.outputs.at(0), golden.outputs.at(0)), 0);
  EXPECT_EQ(fast.recomputed_nodes, 5);  // conv2, add, pool, flatten, fc: not conv1 or relu
}

TEST(IncrementalRun, PermanentAndTransientFaultsMatchFullRuns) {
  const Graph g = residual_graph();
  const ArrayConfig array = testing::preset("small");
  const PeFaults none;
  FastEngine clean(array, none);
  const GraphRun golden = run_graph(g, images(), clean, true);
  const auto windows = node_cycle_windows(golden);
  ASSERT_EQ(windows.size(), 3u);
  HardwareFault stuck, flip;
  stuck.site = FaultSite::weight, stuck.row = 1, stuck.col = 2, stuck.bit = 30, stuck.kind = FaultKind::stuck_at_1;
  flip.site = FaultSite::psum, flip.col = 3, flip.bit = 30, flip.kind = FaultKind::transient;
  flip.cycle = windows.at("conv2").first + 40;
  for (const HardwareFault& f : {stuck, flip}) {
    const PeFaults pe(array, {f});
    FastEngine faulty(array, pe);
    RerunScope scope;
    if (f.permanent()) scope.engine_touches = [](const Node&) { return true; };
    else scope.engine_touches = [&](const Node& n) {
      const auto w = windows.at(n.name);
      return f.cycle >= w.first && f.cycle < w.second;
    };
    const Rerun fast = rerun_graph(g, golden, faulty, scope);
    const GraphRun full = run_graph(g, images(), faulty, false);
    EXPECT_EQ(testing::count_bit_differences(fast.outputs.at(0), full.outputs.at(0)), 0) << describe(f);
    EXPECT_GT(testing::count_bit_differences(fast.outputs.at(0), golden.outputs.at(0)), 0) << describe(f);
    if (!f.permanent()) {
      EXPECT_LT(fast.recomputed_nodes, 7);
    }
  }
}

// A caller that reruns one recording many times keeps the nodes' start cycles: the rerun
// reads them (a transient strikes by cycle) and matches the full run as without them.
TEST(IncrementalRun, KeptNodeStartCyclesPlaceTheRecomputedJobs) {
  const Graph g = residual_graph();
  const ArrayConfig array = testing::preset("small");
  const PeFaults none;
  FastEngine clean(array, none);
  const GraphRun golden = run_graph(g, images(), clean, true);
  const auto windows = node_cycle_windows(golden);
  const std::vector<long long> starts = node_start_cycles(g, golden);
  ASSERT_EQ(starts.size(), g.nodes.size());
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const auto w = windows.find(g.nodes[i].name);
    EXPECT_EQ(starts[i], w == windows.end() ? 0 : w->second.first) << g.nodes[i].name;
  }
  HardwareFault flip;
  flip.site = FaultSite::psum, flip.col = 3, flip.bit = 30, flip.kind = FaultKind::transient;
  flip.cycle = windows.at("conv2").first + 40;
  const PeFaults pe(array, {flip});
  FastEngine faulty(array, pe);
  RerunScope scope;
  scope.engine_touches = [](const Node& n) { return n.name == "conv2"; };
  scope.node_starts = &starts;
  const GraphRun full = run_graph(g, images(), faulty, false);
  EXPECT_EQ(testing::count_bit_differences(rerun_graph(g, golden, faulty, scope).outputs.at(0), full.outputs.at(0)), 0);
  ASSERT_GT(testing::count_bit_differences(full.outputs.at(0), golden.outputs.at(0)), 0);
  const std::vector<long long> elsewhere(starts.size(), golden.cycles + 1000);  // placed past the flip: it misses
  scope.node_starts = &elsewhere;
  EXPECT_EQ(testing::count_bit_differences(rerun_graph(g, golden, faulty, scope).outputs.at(0), golden.outputs.at(0)), 0);
}

// A kept operator table and record index (what a PVF worker keeps per model and image)
// are what the rerun reads: the record's values through the index, an index of another
// recording gives that recording's corrupted run, a table without a node's operator throws.
TEST(IncrementalRun, KeptOperatorsAndRecordIndexAreWhatTheRerunReads) {
  Graph g = residual_graph();
  const ArrayConfig array = testing::preset("small");
  const PeFaults none;
  FastEngine engine(array, none);
  Rng rng(7);
  const Tensor others = testing::random_tensor({2, 3, 8, 8}, rng);
  const GraphRun golden = run_graph(g, images(), engine, true);
  const GraphRun other = run_graph(g, others, engine, true);
  ValueNumbers numbers;
  number_values(golden.values, numbers);
  const RecordIndex golden_index(numbers, golden.values), other_index(numbers, other.values);
  EXPECT_EQ(golden_index.find("r"), &golden.values.at("r"));
  EXPECT_EQ(golden_index.find("conv1.weight"), nullptr);
  float& w = g.initializers.at("conv2.weight")[7];
  w = bits_float(float_bits(w) ^ (1u << 29));
  const std::vector<const OperatorDef*> operators = node_operators(g);
  RerunScope scope;
  scope.changed_initializers = {"conv2.weight"};
  scope.operators = &operators;
  scope.recorded = &golden_index;
  EXPECT_EQ(testing::count_bit_differences(rerun_graph(g, golden, engine, scope).outputs.at(0),
                                           run_graph(g, images(), engine, false).outputs.at(0)), 0);
  scope.recorded = &other_index;
  EXPECT_EQ(testing::count_bit_differences(rerun_graph(g, golden, engine, scope).outputs.at(0),
                                           run_graph(g, others, engine, false).outputs.at(0)), 0);
  std::vector<const OperatorDef*> missing = operators;
  missing[2] = nullptr;  // conv2
  scope.operators = &missing;
  EXPECT_THROW(rerun_graph(g, golden, engine, scope), std::logic_error);
}

// A rerun may start at the first node reading a changed initializer: the nodes before it
// cannot recompute (no changed input, a fault-free engine).
TEST(IncrementalRun, ARerunFromTheChangedParametersFirstReaderIsTheWholeRerun) {
  Graph g = residual_graph();
  const auto index_of = [&](const std::string& name) {
    for (std::size_t i = 0; i < g.nodes.size(); ++i)
      if (g.nodes[i].name == name) return i;
    return g.nodes.size();
  };
  EXPECT_EQ(first_reader(g, {"x"}), 0u);
  EXPECT_EQ(first_reader(g, {"conv2.weight"}), index_of("conv2"));
  EXPECT_EQ(first_reader(g, {"fc.bias", "conv2.weight"}), index_of("conv2"));
  EXPECT_EQ(first_reader(g, {"fc.weight"}), index_of("fc"));
  EXPECT_EQ(first_reader(g, {"no such value"}), g.nodes.size());
  const ArrayConfig array = testing::preset("small");
  const PeFaults none;
  FastEngine engine(array, none);
  const GraphRun golden = run_graph(g, images(), engine, true);
  float& w = g.initializers.at("conv2.weight")[7];
  w = bits_float(float_bits(w) ^ (1u << 29));
  RerunScope scope;
  scope.changed_initializers = {"conv2.weight"};
  scope.first_node = first_reader(g, scope.changed_initializers);
  const Rerun fast = rerun_graph(g, golden, engine, scope);
  EXPECT_EQ(testing::count_bit_differences(fast.outputs.at(0), run_graph(g, images(), engine, false).outputs.at(0)), 0);
  EXPECT_EQ(fast.recomputed_nodes, 5);  // conv2, add, pool, flatten, fc
}

}  // namespace
}  // namespace accsim
