// A FIFO named as a parameter file or an ONNX model is refused at once (issue 12, item 5:
// a FIFO as a data file blocked forever): exit 2, one line naming the FIFO, nothing
// written. The binary runs in its own process with a deadline, so that a FIFO opened by
// mistake fails this test instead of hanging the suite.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "temp_dir.h"
#include "tools/fuzz/binary_run.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json shipped(const std::string& relative) {
  std::ifstream in(std::string(ACCSIM_SOURCE_DIR) + "/" + relative);
  return json::parse(in);
}

TEST(FifoModels, AFifoAsAParameterFileOrAModelIsExit2AtOnceNamingIt) {
  testing::TempDir dir;
  const std::string fifo = dir.file("model.fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  json run = shipped("configs/small.json");
  run["workload"]["parameters"] = fifo;
  json campaign = shipped("configs/experiments/campaign_lenet5.json");
  campaign["campaign"]["model"] = fifo;
  json pvf = shipped("configs/experiments/pvf_lenet5.json");
  pvf["pvf"]["model"] = fifo;
  json graph = shipped("configs/resnet_fmnist.json");
  graph["workload"]["model"] = fifo;
  const std::pair<std::string, json> cases[] = {{"run", run}, {"campaign", campaign}, {"pvf", pvf}, {"run", graph}};
  int n = 0;
  for (const auto& [command, config] : cases) {
    const std::string file = dir.file("config" + std::to_string(n++) + ".json");
    std::ofstream(file) << config.dump(1);
    const fuzz::BinaryRun r = fuzz::run_binary({command, "--config", file, "--out", dir.file("out.h5")},
                                               dir.file("stdout.txt"), dir.file("stderr.txt"), 60);
    ASSERT_FALSE(r.timed_out) << command << " " << file << ": blocked on the FIFO";
    EXPECT_TRUE(r.exited && r.code == 2) << command << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << command << ": " << r.err;
    EXPECT_NE(r.err.find(fifo), std::string::npos) << command << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir.file("out.h5"))) << command;
  }
}

}  // namespace
}  // namespace accsim
