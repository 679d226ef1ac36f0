// `accsim --config X.json` with an ONNX model (workload.model): the node table, the
// predictions and the results file; a bad model is one line naming the node, exit 2,
// nothing written.
#include <gtest/gtest.h>

#include "tools/cli/cli.h"
#include "tools/cli_test_util.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/io/results_file.h"

namespace accsim::cli_test {
namespace {

using accsim::testing::OnnxBuilder;

// x [batch, 1, 28, 28] -> depthwise-free grouped conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm (10 classes)
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

TEST(GraphRunCommand, PrintsTheNodeTableAndWritesResults) {
  TempDir dir;
  const std::string config = write_config(dir, model_config(write_model(dir), 3));
  const std::string out = (dir.path() / "r.h5").string();
  const CliRun r = run_cli({"--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("model (ONNX, 5 nodes, 2 on the array)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("conv "), std::string::npos);
  EXPECT_NE(r.out.find("[3,4,28,28]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("image 2"), std::string::npos);
  EXPECT_EQ(read_strings(out, "/layer_names"), (std::vector<std::string>{"conv", "fc"}));
  EXPECT_EQ(read_string_attribute(out, "/", "format"), "accsim-graph-run");
  EXPECT_EQ(read_tensor(out, "/layers/conv/faulty_output").shape(), (std::vector<int>{3, 4, 28, 28}));
}

TEST(GraphRunCommand, ErrmodelExportsEveryArrayJobWithItsNode) {
  TempDir dir;
  const std::string config = write_config(dir, model_config(write_model(dir), 2));
  const std::string out = (dir.path() / "e.h5").string();
  const CliRun r = run_cli({"errmodel", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(read_strings(out, "/layer_nodes"), (std::vector<std::string>{"conv", "fc"}));
  EXPECT_EQ(read_strings(out, "/summaries").size(), 6u);  // 2 jobs x 3 passes
  EXPECT_EQ(read_tensor(out, "/layers/conv/sample/faulty_output").shape(), (std::vector<int>{2, 4, 28, 28}));
  EXPECT_NE(r.out.find("conv fwd: "), std::string::npos) << r.out;
}

TEST(GraphRunCommand, UnsupportedOperatorIsOneLineNamingTheNodeAndNothingIsWritten) {
  TempDir dir;
  const std::string config = write_config(dir, model_config(write_model(dir, "Hardmax"), 1));
  const std::string out = (dir.path() / "r.h5").string();
  const CliRun r = run_cli({"--config", config, "--out", out});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("node \"pool\" (Hardmax)"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(GraphRunCommand, ModelAndNetworkTogetherAreRejected) {
  TempDir dir;
  json j = model_config(write_model(dir), 1);
  j["workload"]["network"] = "lenet5";
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "r.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("give one of network, topology or model"), std::string::npos) << r.err;
}

TEST(GraphRunCommand, MissingModelFileIsRejected) {
  TempDir dir;
  const CliRun r = run_cli({"--config", write_config(dir, model_config("nowhere.onnx", 1)), "--out", (dir.path() / "r.h5").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nowhere.onnx: not a regular file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace accsim::cli_test
