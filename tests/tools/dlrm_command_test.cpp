// `accsim dlrm` from the command line: the RMSE table, HDF5 and CSV outputs, the
// shipped experiment config, and bad input.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json tiny_dlrm() {
  json j = json::parse(std::ifstream(source_file("configs/experiments/dlrm_pytei.json")));
  j["dlrm"] = {{"dense_dim", 16}, {"sparse_dim", 512}, {"embedding_dim", 8}, {"bottom_mlp", {16}}, {"top_mlp", {16, 1}}};
  j["study"] = {{"samples", 16}, {"sparsity", {0.01}}, {"trials", 3}};
  j["parameter_faults"]["rate"] = {1e-9, 1e-3};
  return j;
}

TEST(DlrmCommand, PrintsTheRmseTableAndWritesHdf5AndCsvWithoutPartialFiles) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_dlrm());
  const fs::path out = dir.path() / "d.h5";
  const CliRun r = run_cli({"dlrm", "--config", config, "--out", out.string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("BER           embeddings (4096)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mlps ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n1e-09         0 "), std::string::npos) << r.out;  // nothing flips at 1e-9 here
  EXPECT_NE(r.out.find("\n1e-03 "), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir.path() / "d.csv"));
  const ResultsTable summary = read_table(out.string(), "/summary");
  EXPECT_EQ(summary.columns[0].size(), 2u * 3u);  // 2 rates x 3 targets
  EXPECT_EQ(read_table(out.string(), "/trials").columns[0].size(), 2u * 3u * 3u);
  EXPECT_EQ(read_strings(out.string(), "/targets"), (std::vector<std::string>{"embeddings", "mlps", "model"}));
  EXPECT_EQ(read_int64_attribute(out.string(), "/", "trials"), 3);
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  std::ifstream csv(dir.path() / "d.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("sparsity,model,kind,rate,count,target,", 0), 0u) << header;
}

TEST(DlrmCommand, AFreshStudyNeverSaysItResumesAndThreadsChangeNothing) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_dlrm());
  const CliRun one = run_cli({"dlrm", "--config", config, "--out", (dir.path() / "a.h5").string(), "--threads", "1"});
  const CliRun two = run_cli({"dlrm", "--config", config, "--out", (dir.path() / "b.h5").string(), "--threads", "2"});
  ASSERT_EQ(one.code, 0) << one.err;
  ASSERT_EQ(two.code, 0) << two.err;
  EXPECT_EQ(one.err.find("resuming"), std::string::npos) << one.err;
  EXPECT_NE(one.err.find("accsim: dlrm trials: 100% (18/18)"), std::string::npos) << one.err;
  const auto table = [](const std::string& s) { return s.substr(0, s.rfind(" s; results: ")); };
  const auto without_time = [&](const std::string& s) { return table(s).substr(0, table(s).rfind('\n')); };
  EXPECT_EQ(without_time(one.out), without_time(two.out));
}

TEST(DlrmCommand, ShippedConfigParsesAndHelpListsTheCommand) {
  const CliRun help = run_cli({"--help"});
  EXPECT_NE(help.out.find("  dlrm "), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("accsim dlrm --config configs/experiments/dlrm_pytei.json"), std::string::npos);
  TempDir dir;
  json j = json::parse(std::ifstream(source_file("configs/experiments/dlrm_pytei.json")));
  j["parameter_faults"]["targets"][1]["tensors"] = {"mlp.middle"};
  const CliRun bad = run_cli({"dlrm", "--config", write_config(dir, j), "--out", (dir.path() / "x.h5").string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(exactly_one_line(bad.err)) << bad.err;
  EXPECT_NE(bad.err.find("parameter_faults.targets[1]: \"mlp.middle\" matches no parameter tensor"), std::string::npos)
      << bad.err;
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

// The shipped ONNX config, with a small study: the model line names the file and inputs;
// a dense width the model does not take is one error line, exit 2, nothing written.
TEST(DlrmCommand, RunsTheShippedOnnxModelAndRefusesADenseWidthItDoesNotTake) {
  TempDir dir;
  json j = json::parse(std::ifstream(source_file("configs/experiments/dlrm_pytei_onnx.json")));
  j["workload"]["model"] = source_file("configs/models/dlrm_pytei.onnx");
  j["study"] = {{"samples", 8}, {"sparsity", {0.01}}, {"trials", 2}};
  j["parameter_faults"]["rate"] = {1e-3};
  const CliRun r = run_cli({"dlrm", "--config", write_config(dir, j), "--out", (dir.path() / "d.h5").string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("dlrm_pytei.onnx (ONNX; dense -> dense, bags -> sparse.0) | 540865 parameters\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("embeddings (524288)"), std::string::npos) << r.out;
  j["dlrm"]["dense_dim"] = 64;
  TempDir bad_dir;
  const CliRun bad = run_cli({"dlrm", "--config", write_config(bad_dir, j), "--out", (bad_dir.path() / "x.h5").string()});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(exactly_one_line(bad.err)) << bad.err;
  EXPECT_NE(bad.err.find("input \"dense\" is [1, 128] at batch 1; dlrm.dense_dim 64 feeds it [1, 64]"), std::string::npos)
      << bad.err;
  EXPECT_TRUE(bad.out.empty()) << bad.out;
  EXPECT_TRUE(files_containing(bad_dir.path(), ".h5").empty());
}

// The model file is an input: --out naming it is refused before anything runs.
TEST(DlrmCommand, NeverWritesOverTheOnnxModel) {
  TempDir dir;
  const fs::path model = dir.path() / "m.onnx";
  fs::copy_file(source_file("configs/models/dlrm_pytei.onnx"), model);
  json j = json::parse(std::ifstream(source_file("configs/experiments/dlrm_pytei_onnx.json")));
  j["workload"]["model"] = "m.onnx";
  const auto bytes = [&] {
    std::ifstream f(model, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  };
  const std::string before = bytes();
  const CliRun r = run_cli({"dlrm", "--config", write_config(dir, j), "--out", model.string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(": it is workload.model"), std::string::npos) << r.err;
  EXPECT_EQ(bytes(), before);
}

}  // namespace
}  // namespace accsim
