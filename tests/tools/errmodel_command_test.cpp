// `accsim errmodel` end to end: a good export of a built-in network (on the graph path,
// one job per layer named after it), and the error-model version check.
#include <gtest/gtest.h>

#include "arch/input_error.h"
#include "tools/cli_test_util.h"
#include "workloads/io/error_model_file.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

using namespace cli_test;

TEST(ErrmodelCommand, WritesAVersionedFileWithASummaryPerLayerAndPass) {
  TempDir dir;
  const fs::path out = dir.path() / "em.h5";
  const CliRun r = run_cli({"errmodel", "--config", source_file("configs/small.json"), "--out", out.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NO_THROW(check_error_model_file(out.string()));
  const auto summaries = read_strings(out.string(), "/summaries");
  EXPECT_EQ(summaries.size(), 5u * 3u);  // LeNet-5: 5 layers x {fwd, bwd_data, bwd_weight}
  EXPECT_EQ(summaries[3].rfind("conv2 fwd: weights[oc%8==5][ic%8==3] bit 30 forced 1", 0), 0u) << summaries[3];
  for (const auto& s : summaries) EXPECT_NE(r.out.find(s), std::string::npos) << s;
  EXPECT_TRUE(files_containing(dir.path(), ".partial").empty());
  // One job per layer, named after it (the PyTorch consumer matches modules by these names).
  const std::vector<std::string> layers{"conv1", "conv2", "fc1", "fc2", "fc3"};
  EXPECT_EQ(read_strings(out.string(), "/layer_names"), layers);
  EXPECT_EQ(read_strings(out.string(), "/layer_nodes"), layers);
  EXPECT_EQ(read_string_attribute(out.string(), "/layers/fc1", "kind"), "fc");
  EXPECT_EQ(read_int64_attribute(out.string(), "/layers/fc1", "swizzle_seed"), 2);  // the layer index, as ever
  EXPECT_EQ(read_tensor(out.string(), "/layers/fc1/sample/weights").shape(), (std::vector<int>{120, 256, 1, 1}));
  EXPECT_EQ(read_string_attribute(out.string(), "/", "model"), "lenet5");
}

TEST(ErrmodelCommand, UnknownCommandIsAUsageErrorNamingTheCommands) {
  const CliRun r = run_cli({"errmodels", "--config", source_file("configs/small.json")});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("errmodels"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run, errmodel"), std::string::npos) << r.err;
}

TEST(ErrmodelCommand, AFileOfAnotherVersionOrFormatIsRejectedByName) {
  TempDir dir;
  const std::string other = (dir.path() / "v2.h5").string();
  {
    ResultsFile h5(other);
    h5.set_attribute("/", "format", std::string(kErrorModelFormat));
    h5.set_attribute("/", "version", kErrorModelVersion + 1);
    h5.commit();
  }
  try {
    check_error_model_file(other);
    FAIL() << "version " << kErrorModelVersion + 1 << " accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(other), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("version " + std::to_string(kErrorModelVersion + 1)), std::string::npos) << e.what();
  }
  const std::string results = (dir.path() / "results.h5").string();
  ASSERT_EQ(run_cli({"--config", source_file("configs/small.json"), "--out", results}).code, 0);
  EXPECT_THROW(check_error_model_file(results), InputError);  // a results file is not an error model
}

}  // namespace
}  // namespace accsim
