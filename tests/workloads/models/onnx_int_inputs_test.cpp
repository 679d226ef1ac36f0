// int64 graph inputs (workloads/models/int_inputs.h): an exported model's Gather indices
// load at the shape the caller feeds (a dynamic bag length too), run once bound, are never
// parameters, and every misuse is reported naming the input or node.
#include "workloads/models/int_inputs.h"

#include <gtest/gtest.h>

#include <functional>

#include "arch/input_error.h"
#include "arch/pe_faults.h"
#include "onnx_builder.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/dlrm/parameters_in_use_order.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using testing::OnnxBuilder;
using testing::TempDir;

// out = x + sum over the bag of table[idx]: an embedding bag as Gather + ReduceSum.
std::string bag_model(const TempDir& dir, const std::string& reader = "Gather") {
  OnnxBuilder b;
  b.input("x", {0, 2}).int64_input("idx", {0, -1}).output("out");
  b.floats("table", {5, 2}, {0, 1, 10, 11, 20, 21, 30, 31, 40, 41}).ints("axes", {1});
  if (reader == "Gather") {
    b.node("Gather", {"table", "idx"}, {"rows"}, "lookup");
  } else {
    b.node(reader, {"idx"}, {"idx_f"}, "misuse");
    OnnxBuilder::int_attribute(b.node("Gather", {"table", "idx"}, {"rows"}, "lookup"), "axis", 0);
  }
  OnnxBuilder::int_attribute(b.node("ReduceSum", {"rows", "axes"}, {"pooled"}, "pool"), "keepdims", 0);
  b.node("Add", {"x", "pooled"}, {"out"}, "add");
  const std::string path = (dir.path() / "bag.onnx").string();
  b.save(path);
  return path;
}

Tensor run(const Graph& g, const Tensor& x) {
  const PeFaults none;
  auto engine = make_engine("fast", testing::preset("small"), none);
  return run_graph(g, x, *engine, false).outputs.at(0);
}

TEST(OnnxIntInputs, GatherIndicesLoadAtTheFedBagLengthAndRunOnceBound) {
  TempDir dir;
  const std::string path = bag_model(dir);
  for (int bag : {1, 3}) {
    Graph g = load_onnx_model(path, 2, {{"idx", {2, bag}}});
    ASSERT_EQ(g.int_inputs.size(), 1u);
    EXPECT_EQ(g.int_inputs[0].shape, (std::vector<int>{2, bag}));
    EXPECT_EQ(g.shape_of("pooled"), (std::vector<int>{2, 2}));
    EXPECT_THROW(run(g, Tensor({2, 2})), std::invalid_argument);  // not bound yet
    IntTensor idx{{2, bag}, {}};
    for (int i = 0; i < 2 * bag; ++i) idx.values.push_back(bag == 1 ? 4 - i : i % 5);
    bind_int_inputs(g, {{"idx", idx}});
    Tensor x({2, 2});
    x[0] = 0.5f;
    const Tensor out = run(g, x);
    // bag 1: rows 4 and 3; bag 3: rows 0,1,2 and 3,4,0
    const std::vector<float> want = bag == 1 ? std::vector<float>{40.5f, 41, 30, 31} : std::vector<float>{30.5f, 33, 70, 73};
    EXPECT_EQ(out.values(), want) << "bag " << bag;
  }
}

TEST(OnnxIntInputs, AreDataNotParameters) {
  TempDir dir;
  Graph g = load_onnx_model(bag_model(dir), 1, {{"idx", {1, 2}}});
  const ParameterSet set = parameters_in_use_order(g);
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set[0].name, "table");
}

TEST(OnnxIntInputs, AnIndexOutsideTheGatheredRowsNamesTheInputAndTheAllowedRange) {
  TempDir dir;
  Graph g = load_onnx_model(bag_model(dir), 2, {{"idx", {2, 2}}});
  for (long long bad : {5LL, -1LL}) {
    try {
      bind_int_inputs(g, {{"idx", IntTensor{{2, 2}, {0, 1, 2, bad}}}});
      FAIL() << "index " << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("input \"idx\": index " + std::to_string(bad) + " at [1, 1] is outside the allowed range [0, 4]"),
                std::string::npos) << m;
      EXPECT_NE(m.find("\"lookup\""), std::string::npos) << m;
    }
  }
  EXPECT_THROW(bind_int_inputs(g, {{"idx", IntTensor{{2, 3}, {0, 1, 2, 3, 4, 0}}}}), std::invalid_argument);  // shape
  EXPECT_THROW(bind_int_inputs(g, {}), std::invalid_argument);  // missing
  EXPECT_FALSE(int_inputs_bound(g));
}

TEST(OnnxIntInputs, RefusedWhereNoCommandFeedsThemAndOutsideGatherIndices) {
  TempDir dir;
  const auto message = [](const std::function<void()>& load) {
    try {
      load();
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string path = bag_model(dir);
  EXPECT_NE(message([&] { load_onnx_model(path, 2); }).find("graph input \"idx\" (int64): integer inputs are accepted by accsim dlrm only"),
            std::string::npos);
  EXPECT_NE(message([&] { load_onnx_model(path, 2, {{"other", {2, 1}}}); }).find("is not one of the integer inputs"),
            std::string::npos);
  EXPECT_NE(message([&] { load_onnx_model(path, 2, {{"idx", {2}}}); }).find("has rank 2 where rank 1 is fed"),
            std::string::npos);
  const std::string misuse = bag_model(dir, "Neg");
  const std::string m = message([&] { load_onnx_model(misuse, 2, {{"idx", {2, 1}}}); });
  EXPECT_NE(m.find("node \"misuse\" (Neg): reads the int64 input \"idx\"; integer inputs may only be Gather's indices"),
            std::string::npos) << m;
  EXPECT_EQ(m.rfind(misuse, 0), 0u) << m;  // names the file
}

// The importer's other errors keep working on a model with an int64 input.
TEST(OnnxIntInputs, UnsupportedOperatorsBehindAGatherAreStillNamedWithTheSupportedList) {
  TempDir dir;
  OnnxBuilder b;
  b.input("x", {0, 2}).int64_input("idx", {0, -1}).output("out");
  b.floats("table", {5, 2}, std::vector<float>(10, 1.0f));
  b.node("Gather", {"table", "idx"}, {"rows"}, "lookup");
  b.node("Floor", {"rows"}, {"out"}, "floor");
  const std::string path = (dir.path() / "floor.onnx").string();
  b.save(path);
  try {
    load_onnx_model(path, 2, {{"idx", {2, 3}}});
    FAIL() << "loaded";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path + ": node \"floor\" (Floor): operator Floor is not supported; supported operators: "),
              std::string::npos) << m;
    EXPECT_NE(m.find("Gather"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace accsim
