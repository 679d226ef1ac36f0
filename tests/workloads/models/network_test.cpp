// Networks: the presets' shapes, networks described in config, and parameter files.
#include "workloads/models/network.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "arch/input_error.h"
#include "test_util.h"
#include "workloads/run/engines.h"
#include "workloads/models/inference.h"
#include "workloads/models/model_file.h"

namespace accsim {
namespace {

using nlohmann::json;

Network parse(const json& network) {
  const json top = {{"network", network}};
  ConfigReader r(top, "net.json", "workload");
  return parse_network(r, "network");
}

std::string parse_error(const json& network) {
  try {
    parse(network);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Network, EveryPresetRunsForwardToTenLogitsOnBothEngines) {
  for (const auto& name : network_names()) {
    const Network net = network_by_name(name);
    const NetworkParameters params = init_parameters(net, 5);
    Rng rng(1);
    const Tensor images = testing::random_tensor({2, 1, 28, 28}, rng, 0.0f, 1.0f);
    PeFaults none;
    const ArrayConfig a = testing::preset("small");
    const NetworkRun fast = run_network(net, params, images, *make_engine("fast", a, none));
    EXPECT_EQ(fast.logits.shape(), (std::vector<int>{2, 10})) << name;
    const NetworkRun cycle = run_network(net, params, images, *make_engine("cycle", a, none));
    EXPECT_EQ(testing::count_bit_differences(fast.logits, cycle.logits), 0) << name;
    EXPECT_EQ(fast.cycles, cycle.cycles) << name;
  }
}

TEST(Network, AlexNet28HasFiveConvsAndThreeFullyConnectedLayers) {
  const Network net = alexnet28();
  int convs = 0, fcs = 0;
  for (const auto& l : net.layers) (l.kind == JobKind::forward_conv ? convs : fcs)++;
  EXPECT_EQ(convs, 5);
  EXPECT_EQ(fcs, 3);
  EXPECT_EQ(net.layers[5].in_channels, 32 * 3 * 3);
}

TEST(Network, ANetworkObjectInfersInputChannelsAndFlattening) {
  const Network net = parse({{"name", "tiny"},
                             {"input", {1, 28, 28}},
                             {"layers",
                              {{{"type", "conv"}, {"out_channels", 4}, {"kernel", 3}, {"pad", 1}, {"pool", 2}},
                               {{"type", "conv"}, {"out_channels", 8}, {"kernel", 5}, {"stride", 2}},
                               {{"type", "fc"}, {"name", "head"}, {"out_features", 10}}}}});
  ASSERT_EQ(net.layers.size(), 3u);
  EXPECT_EQ(net.layers[1].in_channels, 4);
  EXPECT_EQ(net.layers[2].in_channels, 8 * 5 * 5);  // 14 -> (14-5)/2+1 = 5
  EXPECT_EQ(net.layers[2].name, "head");
  EXPECT_TRUE(net.layers[0].relu);
  EXPECT_FALSE(net.layers[2].relu);  // the last layer gives logits
  EXPECT_EQ(network_by_name("lenet5").layers.size(), parse("lenet5").layers.size());
}

TEST(Network, BadNetworkDescriptionsNameTheKeyAndTheProblem) {
  EXPECT_NE(parse_error("resnet").find("lenet5, alexnet28, mlp"), std::string::npos);
  const json conv_after_fc = {{"name", "x"},
                              {"input", {1, 8, 8}},
                              {"layers", {{{"type", "fc"}, {"out_features", 4}}, {{"type", "conv"}, {"out_channels", 2}, {"kernel", 1}}}}};
  EXPECT_NE(parse_error(conv_after_fc).find("workload.network.layers[1].type"), std::string::npos)
      << parse_error(conv_after_fc);
  const json big_kernel = {{"name", "x"}, {"input", {1, 8, 8}}, {"layers", {{{"type", "conv"}, {"out_channels", 2}, {"kernel", 9}}}}};
  EXPECT_NE(parse_error(big_kernel).find("exceeds the padded input 8x8"), std::string::npos) << parse_error(big_kernel);
  const json twice = {{"name", "x"},
                      {"input", {1, 8, 8}},
                      {"layers", {{{"type", "fc"}, {"name", "a"}, {"out_features", 4}}, {{"type", "fc"}, {"name", "a"}, {"out_features", 2}}}}};
  EXPECT_NE(parse_error(twice).find("used by an earlier layer"), std::string::npos) << parse_error(twice);
  const json unknown = {{"name", "x"}, {"input", {1, 8, 8}}, {"layers", {{{"type", "fc"}, {"out_features", 4}, {"bias", false}}}}};
  EXPECT_NE(parse_error(unknown).find("bias"), std::string::npos) << parse_error(unknown);
  EXPECT_NE(parse_error(json{{"name", "x"}, {"input", {1, 8, 8}}, {"layers", json::array()}}).find("non-empty"),
            std::string::npos);
}

TEST(ModelFile, ParametersRoundTripBitForBitAndForeignFilesAreRejected) {
  const std::string file = (std::filesystem::temp_directory_path() / ("accsim_model_" + std::to_string(::getpid()) + ".h5")).string();
  const Network net = lenet5();
  const NetworkParameters params = init_parameters(net, 42);
  {
    ResultsFile h5(file);
    write_parameters(h5, net, params);
    h5.commit();
  }
  const NetworkParameters back = read_parameters(file, net);
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    EXPECT_EQ(testing::count_bit_differences(back.weights[i], params.weights[i]), 0);
    EXPECT_EQ(back.biases[i].shape(), params.biases[i].shape());
  }
  EXPECT_THROW(read_parameters(file, mlp()), InputError);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace accsim
