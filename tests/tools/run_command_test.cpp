// `accsim --config X.json` (run) on its one path, the graph, for every model: a built-in
// network and an ONNX model print the same per-layer table and write the same layout;
// the mitigations' check and activation clipping act on both; a bad model is one line
// naming the node, exit 2, nothing written.
#include <gtest/gtest.h>

#include "test_util.h"
#include "tools/cli/cli.h"
#include "tools/cli_test_util.h"
#include "workloads/io/output_format.h"
#include "workloads/io/results_file.h"
#include "workloads/models/onnx_builder.h"

namespace accsim::cli_test {
namespace {

using accsim::testing::OnnxBuilder;

// x [batch, 1, 28, 28] -> conv (4 kernels, pads 1) -> Relu -> GlobalAveragePool -> Flatten -> Gemm (10 classes)
std::string write_model(const TempDir& dir, const std::string& extra_op = "") {
  OnnxBuilder b;
  b.input("input", {0, 1, 28, 28}).output("logits");
  std::vector<float> w(4 * 9), fc(10 * 4);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.05f * static_cast<float>(i % 7) - 0.1f;
  for (std::size_t i = 0; i < fc.size(); ++i) fc[i] = 0.1f * static_cast<float>(i % 5) - 0.2f;
  b.floats("conv.weight", {4, 1, 3, 3}, w).floats("fc.weight", {10, 4}, fc).floats("fc.bias", {10}, std::vector<float>(10, 0.f));
  auto& conv = b.node("Conv", {"input", "conv.weight"}, {"c"}, "conv");
  OnnxBuilder::ints_attribute(conv, "pads", {1, 1, 1, 1});
  b.node("Relu", {"c"}, {"r"}, "relu");
  b.node(extra_op.empty() ? "GlobalAveragePool" : extra_op, {"r"}, {"p"}, "pool");
  b.node("Flatten", {"p"}, {"f"}, "flatten");
  auto& gemm = b.node("Gemm", {"f", "fc.weight", "fc.bias"}, {"logits"}, "fc");
  OnnxBuilder::int_attribute(gemm, "transB", 1);
  const std::string path = (dir.path() / "model.onnx").string();
  b.save(path);
  return path;
}

json model_config(const std::string& model, int batch) {
  json j = small_config();
  j["workload"] = {{"model", model}, {"batch", batch}};
  return j;
}

// The table line of `layer` in a run's stdout ("" when there is none).
std::string line_of(const std::string& out, const std::string& layer) {
  const std::size_t at = out.find("\n" + layer + " ");
  return at == std::string::npos ? "" : out.substr(at + 1, out.find('\n', at + 1) - at - 1);
}

CliRun run_to(const TempDir& dir, const json& config, const std::string& out) {
  return run_cli({"--config", write_config(dir, config), "--out", (dir.path() / out).string()});
}

TEST(RunCommand, AnOnnxModelPrintsTheLayerTableAndWritesTheRunLayout) {
  TempDir dir;
  const std::string out = (dir.path() / "r.h5").string();
  const CliRun r = run_to(dir, model_config(write_model(dir), 3), "r.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("model (ONNX, 5 nodes, 2 on the array)"), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "conv").find(" Conv "), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "conv").find(" [3,1,28,28]->4 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("image 2"), std::string::npos);
  EXPECT_NE(r.out.find("swizzle report"), std::string::npos) << r.out;
  EXPECT_NO_THROW(check_output_format(out, kRunOutput));
  EXPECT_EQ(read_strings(out, "/layer_names"), (std::vector<std::string>{"conv", "fc"}));
  EXPECT_EQ(read_strings(out, "/summary/op"), (std::vector<std::string>{"Conv", "Gemm"}));
  EXPECT_EQ(read_tensor(out, "/layers/conv/faulty_output").shape(), (std::vector<int>{3, 4, 28, 28}));
  EXPECT_EQ(read_tensor(out, "/layers/fc/weights").shape(), (std::vector<int>{10, 4}));
  EXPECT_EQ(read_tensor(out, "/golden/output").shape(), (std::vector<int>{3, 10}));
  EXPECT_EQ(read_int64s(out, "/swizzle_report/layer_index").size(), 2u * 4u);
}

TEST(RunCommand, ABuiltInNetworkRunsAsAGraphNamedAfterItsLayers) {
  TempDir dir;
  const std::string out = (dir.path() / "r.h5").string();
  const CliRun r = run_to(dir, small_config(), "r.h5");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("| lenet5 on "), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "conv1").find(" Conv "), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "conv1").find(" [1,1,28,28]->6 "), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "fc1").find(" Gemm "), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "fc1").find(" [1,256,1,1]->120 "), std::string::npos) << r.out;
  EXPECT_EQ(read_strings(out, "/summary/op"), (std::vector<std::string>{"Conv", "Conv", "Gemm", "Gemm", "Gemm"}));
  EXPECT_EQ(read_int64s(out, "/summary/jobs"), (std::vector<std::int64_t>{1, 1, 1, 1, 1}));
  EXPECT_EQ(read_int64s(out, "/summary/fits_cbuf"), (std::vector<std::int64_t>{1, 1, 1, 1, 1}));
  EXPECT_EQ(read_tensor(out, "/layers/conv2/weights").shape(), (std::vector<int>{16, 6, 5, 5}));
  EXPECT_EQ(read_tensor(out, "/layers/fc1/weights").shape(), (std::vector<int>{120, 256}));
  EXPECT_EQ(read_tensor(out, "/layers/conv1/golden_output").shape(), (std::vector<int>{1, 6, 24, 24}));
  EXPECT_EQ(read_tensor(out, "/golden/output").shape(), (std::vector<int>{1, 10}));
  EXPECT_EQ(read_string_attribute(out, "/", "model"), "lenet5");
}

// A permanent fault on psum column 2 corrupts output channels 2, 10, ... of every layer;
// the duplicate check's copies on other columns out-vote it on a built-in network and an
// ONNX model alike: the faulty run's output is the fault-free one.
TEST(RunCommand, TheMitigationsCheckCorrectsAColumnFaultOnEveryModel) {
  TempDir dir;
  for (json j : {small_config(), model_config(write_model(dir), 2)}) {
    j["faults"] = json::array({{{"site", "psum"}, {"column", 2}, {"bit", 30}, {"kind", "stuck_at_1"}}});
    const std::string what = j["workload"].dump();
    CliRun r = run_to(dir, j, "plain.h5");
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string plain = (dir.path() / "plain.h5").string();
    EXPECT_GT(testing::count_bit_differences(read_tensor(plain, "/golden/output"), read_tensor(plain, "/faulty/output")), 0) << what;
    j["mitigations"] = {{"check", "duplicate"}};
    r = run_to(dir, j, "checked.h5");
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string checked = (dir.path() / "checked.h5").string();
    EXPECT_EQ(testing::count_bit_differences(read_tensor(checked, "/golden/output"), read_tensor(checked, "/faulty/output")), 0) << what;
    EXPECT_NE(r.out.find("mitigation fast+duplicate: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" corrected by re-execution"), std::string::npos) << r.out;
  }
}

// Clipping at a tiny threshold changes the fault-free outputs of an ONNX model as of a network.
TEST(RunCommand, ActivationClippingActsOnTheReluNodesOfEveryModel) {
  TempDir dir;
  for (json j : {small_config(), model_config(write_model(dir), 1)}) {
    j["faults"] = json::array();
    ASSERT_EQ(run_to(dir, j, "plain.h5").code, 0);
    j["mitigations"] = {{"activation_clip", {{"mode", "zero"}, {"threshold", 0.01}}}};
    const CliRun r = run_to(dir, j, "clipped.h5");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("mitigation: activations clipped at 0.01 (zeroing) on every ReLU ("), std::string::npos) << r.out;
    EXPECT_GT(testing::count_bit_differences(read_tensor((dir.path() / "plain.h5").string(), "/golden/output"),
                                             read_tensor((dir.path() / "clipped.h5").string(), "/golden/output")),
              0)
        << j["workload"].dump();
  }
}

TEST(RunCommand, UnsupportedOperatorIsOneLineNamingTheNodeAndNothingIsWritten) {
  TempDir dir;
  const std::string out = (dir.path() / "r.h5").string();
  const CliRun r = run_to(dir, model_config(write_model(dir, "Hardmax"), 1), "r.h5");
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("node \"pool\" (Hardmax)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(RunCommand, ModelAndNetworkTogetherAreRejected) {
  TempDir dir;
  json j = model_config(write_model(dir), 1);
  j["workload"]["network"] = "lenet5";
  const CliRun r = run_to(dir, j, "r.h5");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("give one of network, topology or model"), std::string::npos) << r.err;
}

TEST(RunCommand, MissingModelFileIsRejected) {
  TempDir dir;
  const CliRun r = run_to(dir, model_config("nowhere.onnx", 1), "r.h5");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nowhere.onnx: not a regular file"), std::string::npos) << r.err;
}

TEST(ErrmodelCommand, AnOnnxModelExportsEveryArrayJobWithItsNode) {
  TempDir dir;
  const std::string out = (dir.path() / "e.h5").string();
  const CliRun r = run_cli({"errmodel", "--config", write_config(dir, model_config(write_model(dir), 2)), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_strings(out, "/layer_nodes"), (std::vector<std::string>{"conv", "fc"}));
  EXPECT_EQ(read_strings(out, "/summaries").size(), 6u);  // 2 jobs x 3 passes
  EXPECT_EQ(read_tensor(out, "/layers/conv/sample/faulty_output").shape(), (std::vector<int>{2, 4, 28, 28}));
  EXPECT_EQ(read_string_attribute(out, "/layers/conv", "kind"), "conv");
  EXPECT_EQ(read_string_attribute(out, "/layers/fc", "kind"), "fc");
  EXPECT_NE(r.out.find("conv fwd: "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace accsim::cli_test
