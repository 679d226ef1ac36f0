// The main job on the shipped trained LeNet-5 (`workload.parameters`): its fault-free
// prediction is the image's label, and a bad parameter file is a bad config.
#include <gtest/gtest.h>

#include <regex>

#include "tools/cli_test_util.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

int argmax(const Tensor& t) {
  int best = 0;
  for (std::size_t i = 1; i < t.size(); ++i)
    if (t[i] > t[best]) best = static_cast<int>(i);
  return best;
}

TEST(WorkloadParameters, TheShippedConfigsPredictTheirImagesLabelFaultFree) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  TempDir dir;
  for (const char* config : {"configs/small.json", "configs/large.json", "configs/small_fp16.json", "configs/small_int8.json"}) {
    const fs::path out = dir.path() / "run.h5";
    const CliRun r = run_cli({"--config", source_file(config), "--out", out.string()});
    ASSERT_EQ(r.code, 0) << config << ": " << r.err;
    EXPECT_NE(r.out.find("\nparameters from "), std::string::npos) << r.out;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("\nlabel (\\d), predicted class fault-free (\\d), faulty (\\d)\n")))
        << r.out;
    EXPECT_EQ(m[1], m[2]) << config << ": the trained model misclassifies its image fault-free";
    EXPECT_EQ(std::to_string(argmax(read_tensor(out.string(), "/golden/output"))), m[2].str()) << config;
    EXPECT_EQ(std::to_string(argmax(read_tensor(out.string(), "/faulty/output"))), m[3].str()) << config;
  }
}

TEST(WorkloadParameters, ABadParameterFileIsExit2NamingTheKey) {
  TempDir dir;
  json trained = small_config();
  trained["workload"]["parameters"] = trained_lenet5();
  json missing = trained;
  missing["workload"]["parameters"] = "no_such_model.h5";
  json other_network = trained;
  other_network["workload"]["network"] = "alexnet28";  // the file holds LeNet-5's parameters
  json not_hdf5 = trained;
  not_hdf5["workload"]["parameters"] = write_file(dir.path() / "text.h5", "not HDF5\n");
  json with_topology = trained;
  with_topology["workload"].erase("network");
  with_topology["workload"]["topology"] = source_file("configs/topologies/alexnet_conv.csv");
  const std::pair<json, std::string> cases[] = {{missing, "no_such_model.h5' does not exist"},
                                                {other_network, "the config's network is \"alexnet28\""},
                                                {not_hdf5, "not an HDF5 file"},
                                                {with_topology, "parameters belong to a network"}};
  for (const auto& [j, why] : cases) {
    const fs::path out = dir.path() / "run.h5";
    const CliRun r = run_cli({"--config", write_config(dir, j), "--out", out.string()});
    EXPECT_EQ(r.code, 2) << why << ": " << r.err;
    EXPECT_TRUE(exactly_one_line(r.err)) << r.err;
    EXPECT_NE(r.err.find("config.json: workload.parameters: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out)) << why;
  }
}

// Campaigns without their own `model` key run the workload's trained parameters.
TEST(WorkloadParameters, ACampaignWithoutItsOwnModelRunsTheWorkloadsParameters) {
  TempDir dir;
  json j = small_config();
  j["workload"]["parameters"] = trained_lenet5();
  j.erase("faults");
  j["campaign"] = {{"experiments", 2}, {"test_limit", 2}, {"batch", 2}, {"threads", 1}};
  const CliRun r = run_cli({"campaign", "--config", write_config(dir, j), "--out", (dir.path() / "c.h5").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("parameters from " + j["workload"]["parameters"].get<std::string>()), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("Kaiming"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace accsim
