// Issue 12, item 4: tiny inputs that declare huge sizes end in exit 2 with one line naming
// the input and the memory limit, before anything large is allocated, and write nothing.
#include <H5Cpp.h>
#include <gtest/gtest.h>

#include "scoped_env.h"
#include "tools/cli_test_util.h"
#include "workloads/io/memory_limit.h"

namespace accsim {
namespace {

using namespace cli_test;

json topology_config(const std::string& topology) {
  std::ifstream in(source_file("configs/alexnet_topology.json"));
  json j = json::parse(in);
  j["workload"]["topology"] = topology;
  return j;
}

void expect_refused(const std::vector<std::string>& args, const std::vector<std::string>& parts, const TempDir& dir) {
  const CliRun r = run_cli(args);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
  for (const std::string& p : parts) EXPECT_NE(r.err.find(p), std::string::npos) << "'" << p << "' not in " << r.err;
  for (const std::string& left : files_containing(dir.path(), "out")) ADD_FAILURE() << "left " << left;
}

TEST(MemoryLimitCommand, ATwoLineTopologyWithATwoToTheTwentyFourChannelDepthwiseLayerIsExit2) {
  const testing::ScopedEnv limit(kMemoryLimitVariable, "1G");
  TempDir dir;
  const std::string topology = write_file(dir.path() / "dw.csv",
                                          "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                                          "Channels, Num Filter, Strides,\nDP1, 8, 8, 3, 3, 16777216, 1, 1,\n");
  expect_refused({"--config", write_config(dir, topology_config(topology)), "--out", (dir.path() / "out.h5").string()},
                 {topology + ": line 2: 16777216 layers", "memory limit of 1 GiB", "ACCSIM_MEMORY_LIMIT"}, dir);
}

TEST(MemoryLimitCommand, ATopologyLayerWhoseOperandsExceedTheLimitOnDataIsExit2NamingIt) {
  const testing::ScopedEnv limit(kMemoryLimitVariable, "1G");
  TempDir dir;
  const std::string topology = write_file(dir.path() / "gemm.csv", "Layer Name, M, N, K,\nhuge, 1048576, 1, 1048576,\n");
  json j = topology_config(topology);
  j["faults"] = {{{"site", "weight"}, {"pe", {0, 0}}, {"bit", 30}, {"kind", "stuck_at_1"}}};  // data goes through the engine
  expect_refused({"--config", write_config(dir, j), "--out", (dir.path() / "out.h5").string()},
                 {topology + ": layer 'huge' on data", "needs about 8 TiB, more than the memory limit of 1 GiB"}, dir);
  j["faults"] = json::array();  // timing alone needs no operands: the closed form runs it
  const CliRun r = run_cli({"--config", write_config(dir, j), "--out", (dir.path() / "timing.h5").string()});
  EXPECT_EQ(r.code, 0) << r.err;
}

// A 190 KB model declaring a 2^40-element dataset, as a campaign's model.
TEST(MemoryLimitCommand, AModelDeclaringTwoToTheFortyElementsIsExit2ForACampaign) {
  TempDir dir;
  const std::string model = (dir.path() / "huge.h5").string();
  {
    const H5::H5File h5(model, H5F_ACC_TRUNC);
    const H5::StrType name_type(H5::PredType::C_S1, 6);
    h5.createGroup("/parameters").createAttribute("network", name_type, H5::DataSpace(H5S_SCALAR)).write(name_type, "lenet5");
    h5.createGroup("/parameters/conv1");
    const hsize_t dims[4] = {6, 1ULL << 38, 2, 2}, chunk[4] = {1, 1024, 2, 2}, bias = 6;
    H5::DSetCreatPropList plist;
    plist.setChunk(4, chunk);
    h5.createDataSet("/parameters/conv1/weight", H5::PredType::IEEE_F32LE, H5::DataSpace(4, dims), plist);
    h5.createDataSet("/parameters/conv1/bias", H5::PredType::IEEE_F32LE, H5::DataSpace(1, &bias));
  }
  json j = small_config();
  j.erase("faults");
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}, {"threads", 1}, {"model", model}};
  expect_refused({"campaign", "--config", write_config(dir, j), "--out", (dir.path() / "out.h5").string(), "--quiet"},
                 {"campaign.model", model, "/parameters/conv1 has shapes [6,274877906944,2,2]"}, dir);
}

}  // namespace
}  // namespace accsim
