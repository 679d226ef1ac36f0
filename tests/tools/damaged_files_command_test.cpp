// Damaged input files through every command that reads them: exit 2 with one line naming
// the file and the object, never a crash, and no output left behind.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <iterator>

#include "tools/cli_test_util.h"

namespace accsim {
namespace {

using namespace cli_test;

// The shipped model with its network name stored as h5py stores a Python str (a
// variable-length string in the global heap), and one byte of that heap object's size
// set to 0xD0: issue 12's byte 3001 of the model as it once shipped.
std::string damaged_model(const TempDir& dir) {
  const std::string path = (dir.path() / "model.h5").string();
  fs::copy_file(trained_lenet5(), path);
  {
    const H5::H5File f(path, H5F_ACC_RDWR);
    const H5::Group g = f.openGroup("/parameters");
    g.removeAttr("network");
    const H5::StrType vl(H5::PredType::C_S1, H5T_VARIABLE);
    const char* network = "lenet5";
    g.createAttribute("network", vl, H5::DataSpace(H5S_SCALAR)).write(vl, &network);
  }
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::size_t data = bytes.find("lenet5", bytes.find("GCOL"));
  if (data == std::string::npos) ADD_FAILURE() << "no heap object in " << path;
  bytes[data - 3] = static_cast<char>(0xD0);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

TEST(DamagedFiles, ADamagedStringInAModelIsExit2ForEveryCommandThatReadsIt) {
  TempDir dir;
  const std::string model = damaged_model(dir);
  json run = small_config();
  run["workload"]["parameters"] = model;
  json campaign = small_config();
  campaign.erase("faults");
  campaign["campaign"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}, {"threads", 1}, {"model", model}};
  json pvf = small_config();
  pvf.erase("faults");
  pvf["parameter_faults"] = {{"model", "sbf"}, {"parameter", "weight"}, {"targets", {"fc3"}}};
  pvf["pvf"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}, {"threads", 1}, {"model", model}};
  json sweep = run;
  sweep["sweep"] = {{"grid", {{"array.swizzle", {"none", "rotate"}}}}, {"threads", 1}};
  const std::pair<std::string, json> cases[] = {
      {"run", run}, {"errmodel", run}, {"campaign", campaign}, {"pvf", pvf}, {"sweep", sweep}};
  for (const auto& [command, config] : cases) {
    const fs::path out = dir.path() / (command + ".h5");
    std::vector<std::string> args = {command, "--config", write_config(dir, config), "--out", out.string()};
    if (command != "run" && command != "errmodel") args.push_back("--quiet");
    const CliRun r = run_cli(args);
    EXPECT_EQ(r.code, 2) << command << ": " << r.err;
    EXPECT_TRUE(exactly_one_line(r.err)) << command << ": " << r.err;
    for (const std::string& part : {model, std::string("'network' on '/parameters'"), std::string("variable-length")})
      EXPECT_NE(r.err.find(part), std::string::npos) << command << ": " << part << " not in " << r.err;
    for (const std::string& left : files_containing(dir.path(), command + ".")) ADD_FAILURE() << command << " left " << left;
  }
}

}  // namespace
}  // namespace accsim
