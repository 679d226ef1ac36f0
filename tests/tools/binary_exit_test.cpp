// The accsim binary ends with the command's own exit code and output only: a damaged HDF5
// input once left objects libhdf5 could not close, and its exit handler then printed
// "HDF5: infinite loop closing library" and a list of its interfaces after accsim's one-line
// error (found by Fuzz.MutatedParameterFiles).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.h"
#include "tools/fuzz/binary_run.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

TEST(BinaryExit, AModelWithDamagedMetadataIsOneLineOnStderrAndNothingAfterIt) {
  testing::TempDir dir;
  const fs::path model = dir.path() / "model.h5";
  std::string bytes = fuzz::read_text(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/lenet5_fashion_mnist.h5");
  bytes.replace(725, 2, 2, '\xff');  // inside the metadata of /parameters: its checksum fails
  std::ofstream(model, std::ios::binary) << bytes;
  std::ifstream in(std::string(ACCSIM_SOURCE_DIR) + "/configs/small.json");
  std::string config((std::istreambuf_iterator<char>(in)), {});
  const std::string from = "models/lenet5_fashion_mnist.h5";
  config.replace(config.find(from), from.size(), model.string());
  std::ofstream(dir.path() / "config.json") << config;
  const fuzz::BinaryRun r =
      fuzz::run_binary({"run", "--config", (dir.path() / "config.json").string(), "--out", dir.file("out.h5")},
                       dir.file("stdout.txt"), dir.file("stderr.txt"), 120);
  ASSERT_TRUE(r.exited) << "signal " << r.signal << ": " << r.err.substr(0, 600);
  EXPECT_EQ(r.code, 2) << r.err.substr(0, 600);
  ASSERT_NE(r.err.find("checksum"), std::string::npos) << "not the damage this test is about: " << r.err.substr(0, 600);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err.substr(0, 600);
  EXPECT_EQ(r.err.find("HDF5"), std::string::npos) << r.err.substr(0, 600);
  EXPECT_FALSE(fs::exists(dir.file("out.h5")));
}

}  // namespace
}  // namespace accsim
