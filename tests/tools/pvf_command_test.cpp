// `accsim pvf` end to end: the results, CSV and checkpoint files, and bad configs.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/pvf/pvf_graph_fixture.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json tiny_pvf_config() {
  json j = small_config();
  j.erase("faults");
  j["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"conv2", "fc3"}}};
  j["pvf"] = {{"experiments", 20},
              {"test_limit", 10},
              {"batch", 5},
              {"threads", 2},
              {"mitigations", {{{"name", "protect_exp"}, {"protect_bits", {30, 29, 28, 27, 26, 25, 24, 23}}}}}};
  return j;
}

TEST(PvfCommand, WritesResultsCsvAndNoCheckpoint) {
  TempDir dir;
  const std::string config = write_config(dir, tiny_pvf_config());
  const std::string out = (dir.path() / "p.h5").string();
  const CliRun r = run_cli({"pvf", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"40 experiments", "PVF by target", "conv2", "fc3", "PVF by bit position", "protect_exp",
                           "recovery", "results: "})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_NE(r.err.find("pvf.model"), std::string::npos) << r.err;  // the untrained-model note
  std::vector<hsize_t> dims;
  read_int64_array(out, "/experiments/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{40, 2}));
  EXPECT_EQ(read_strings(out, "/variants"), (std::vector<std::string>{"unprotected", "protect_exp"}));
  EXPECT_EQ(read_table(out, "/summary/by_target").columns[0].size(), 4u);  // 2 variants x 2 targets
  EXPECT_TRUE(fs::exists(dir.path() / "p.csv"));
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty());
}

TEST(PvfCommand, BadConfigsNameTheKeyAndWriteNothing) {
  TempDir dir;
  const std::string out = (dir.path() / "p.h5").string();
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j.erase("pvf"); }, "parameter_faults: only `accsim pvf` reads it"},
      {[](json& j) { j["pvf"]["mitigations"][0] = {{"name", "abft"}, {"check", "abft"}}; },
       "pvf.mitigations[0].check: job checks do not apply to parameter faults"},
      {[](json& j) { j["pvf"]["experiments"] = 0; }, "pvf.experiments"},
      {[](json& j) { j["parameter_faults"]["targets"] = {"conv9"}; }, "parameter_faults.targets[0]"},
      {[](json& j) { j["pvf"]["mitigations"][0]["name"] = "unprotected"; }, "pvf.mitigations[0].name"},
  };
  for (const Case& c : cases) {
    json j = tiny_pvf_config();
    c.edit(j);
    const CliRun r = run_cli({"pvf", "--config", write_config(dir, j), "--out", out});
    EXPECT_NE(r.code, 0) << c.expected;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
  const CliRun cycle = run_cli({"pvf", "--config", write_config(dir, tiny_pvf_config()), "--engine", "cycle"});
  EXPECT_EQ(cycle.code, 2);
}

// The tiny graph classifier (tests/workloads/pvf/pvf_graph_fixture.h), targets by name and glob.
json graph_pvf_config(const TempDir& dir) {
  const std::string model = (dir.path() / "tiny.onnx").string();
  testing::save_tiny_attention_model(model);
  json j = small_config();
  j.erase("faults");
  j["workload"] = {{"model", "tiny.onnx"}, {"batch", 4}};  // pvf loads it again with batch 1
  j["parameter_faults"] = {
      {"model", "sbf"},
      {"bits", {23, 29, 30, 31}},
      {"targets", {"blocks.*.attn.q.weight", {{"name", "k"}, {"tensors", {"blocks.0.attn.k.weight"}}}, "head.weight"}}};
  j["pvf"] = {{"experiments", 20}, {"test_limit", 8}, {"threads", 2}};
  return j;
}

TEST(PvfCommand, GraphModelTargetsInitializersAndWritesTablesAndDatasets) {
  TempDir dir;
  const std::string config = write_config(dir, graph_pvf_config(dir));
  const std::string out = (dir.path() / "g.h5").string();
  const CliRun r = run_cli({"pvf", "--config", config, "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("labelled with the fault-free model's predictions"), std::string::npos) << r.err;
  for (const char* part : {"tiny.onnx (ONNX, 9 nodes)", "its initializers (7 tensors", "8 synthetic images",
                           "60 experiments", "PVF by target", "blocks.*.attn.q.weight", "  k ", "head.weight",
                           "PVF by bit position", "experiments/s", "results: "})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  std::vector<hsize_t> dims;
  read_int64_array(out, "/experiments/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{60, 1}));
  EXPECT_EQ(read_strings(out, "/targets"), (std::vector<std::string>{"blocks.*.attn.q.weight", "k", "head.weight"}));
  EXPECT_EQ(read_strings(out, "/tensors").size(), 7u);
  EXPECT_EQ(read_int64s(out, "/target_parameters"), (std::vector<std::int64_t>{16 * 64 + 16 * 16, 16 * 64, 160}));
  EXPECT_EQ(read_table(out, "/summary/by_target").columns[0].size(), 3u);
  EXPECT_EQ(read_table(out, "/summary/by_bit").columns[0].size(), 4u);
  EXPECT_TRUE(fs::exists(dir.path() / "g.csv"));
  EXPECT_TRUE(files_containing(dir.path(), ".checkpoint").empty());
}

TEST(PvfCommand, GraphModelRunsClipVariantsAtItsReluNodes) {
  TempDir dir;
  json j = graph_pvf_config(dir);
  j["pvf"]["mitigations"] = {{{"name", "ftclip"}, {"activation_clip", {{"mode", "zero"}, {"threshold", 0.5}}}},
                             {{"name", "protect30"}, {"protect_bits", {30}}}};
  j["mitigations"] = {{"activation_clip", {{"mode", "saturate"}, {"threshold", 6}}}};  // every run
  const std::string out = (dir.path() / "g.h5").string();
  const CliRun r = run_cli({"pvf", "--config", write_config(dir, j), "--out", out});
  ASSERT_EQ(r.code, 0) << r.err;
  for (const char* part : {"ftclip", "protect30"}) EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  std::vector<hsize_t> dims;
  read_int64_array(out, "/experiments/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{60, 3}));
}

TEST(PvfCommand, GraphModelThatIsNoClassifierIsRefusedNamingTheModel) {
  TempDir dir;
  json j = graph_pvf_config(dir);
  j.erase("parameter_faults");
  testing::OnnxBuilder b;  // replaces tiny.onnx by a model whose output is its scaled input
  b.input("input", {0, 1, 8, 8}).output("y").floats("scale.weight", {1}, {2.0f});
  b.node("Mul", {"input", "scale.weight"}, {"y"}, "scale");
  b.save((dir.path() / "tiny.onnx").string());
  const std::string out = (dir.path() / "g.h5").string();
  const CliRun r = run_cli({"pvf", "--config", write_config(dir, j), "--out", out});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("workload.model: accsim pvf needs a classifier"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("y [4,1,8,8]"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST(PvfCommand, GraphModelBadTargetsAndKeysNameTheKeyAndWriteNothing) {
  TempDir dir;
  const std::string out = (dir.path() / "g.h5").string();
  struct Case {
    std::function<void(json&)> edit;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j["parameter_faults"]["targets"][1] = "blocks.*.mlp.*"; },
       {"parameter_faults.targets[1]: \"blocks.*.mlp.*\" matches no parameter tensor",
        "blocks.0.attn.k.weight, blocks.0.attn.q.bias, blocks.0.attn.q.weight, blocks.0.norm1.weight"}},
      {[](json& j) { j["pvf"]["model"] = "tiny.onnx"; }, {"pvf.model: the parameters of a graph model"}},
      {[](json& j) { j["pvf"]["batch"] = 4; }, {"pvf.batch: a graph model runs each pool image alone"}},
  };
  for (const Case& c : cases) {
    json j = graph_pvf_config(dir);
    c.edit(j);
    const CliRun r = run_cli({"pvf", "--config", write_config(dir, j), "--out", out});
    EXPECT_EQ(r.code, 2) << r.err;
    for (const std::string& e : c.expected) EXPECT_NE(r.err.find(e), std::string::npos) << e << "\n" << r.err;
    EXPECT_FALSE(fs::exists(out));
  }
}

}  // namespace
}  // namespace accsim
