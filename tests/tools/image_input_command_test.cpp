// Every image-fed command on a config network whose input Fashion-MNIST cannot serve
// (3x32x32): run and errmodel use seeded synthetic images with a note, train refuses.
#include <gtest/gtest.h>

#include "tools/cli_test_util.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

json rgb32_config() {
  json j = small_config();
  j["workload"] = {{"network",
                    {{"name", "rgb32"},
                     {"input", {3, 32, 32}},
                     {"layers",
                      {{{"type", "conv"}, {"out_channels", 4}, {"kernel", 3}, {"pool", 2}},
                       {{"type", "fc"}, {"out_features", 10}}}}}}};
  j["faults"] = {{{"site", "weight"}, {"pe", {1, 2}}, {"bit", 30}, {"kind", "stuck_at_1"}}};
  return j;
}

TEST(ImageInput, RunOnA3x32x32NetworkUsesASyntheticImageWithANote) {
  TempDir dir;
  const fs::path out = dir.path() / "run.h5";
  const CliRun r = run_cli({"--config", write_config(dir, rgb32_config()), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: workload.network.input is [3, 32, 32]"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("rgb32 on synthetic image 0 (seed 1)"), std::string::npos) << r.out;
  EXPECT_EQ(read_tensor(out.string(), "/input").shape(), (std::vector<int>{1, 3, 32, 32}));
}

TEST(ImageInput, ErrmodelOnA3x32x32NetworkUsesASyntheticImageWithANote) {
  TempDir dir;
  const fs::path out = dir.path() / "em.h5";
  const CliRun r = run_cli({"errmodel", "--config", write_config(dir, rgb32_config()), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: workload.network.input is [3, 32, 32]"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("layer1 fwd:"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out));
}

TEST(ImageInput, TrainRefusesA3x32x32NetworkNamingTheKeyAndTheDataset) {
  TempDir dir;
  json j = rgb32_config();
  j["faults"] = json::array();
  const fs::path out = dir.path() / "train.h5";
  const CliRun r = run_cli({"train", "--config", write_config(dir, j), "--out", out.string()});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("workload.network.input"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Fashion-MNIST"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[3, 32, 32]"), std::string::npos) << r.err;
  EXPECT_TRUE(files_containing(dir.path(), ".h5").empty());
}

}  // namespace
}  // namespace accsim
