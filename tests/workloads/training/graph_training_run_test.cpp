// `accsim train` on an ONNX graph model: it learns, it resumes bit-identical after a
// SIGKILL, the thread count changes no bit, and training.init picks the start.
#include "workloads/training/training_run.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <streambuf>

#include "arch/input_error.h"
#include "kernels/optimizer_table.h"
#include "child_process.h"
#include "test_util.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/io/results_file.h"
#include "workloads/mitigations/graph_pruning.h"
#include "workloads/models/onnx_import.h"
#include "workloads/run/engines.h"
#include "workloads/run/run_config.h"
#include "workloads/training/graph_init.h"
#include "workloads/training/graph_trainer.h"
#include "workloads/training/training_epochs.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

std::string model_path(const std::string& name) {
  return std::string(ACCSIM_SOURCE_DIR) + "/configs/models/" + name + ".onnx";
}

// A stream that SIGKILLs its process at the first epoch line (written after the epoch's checkpoint).
class KillAtEpochLine : public std::streambuf {
  int overflow(int c) override {
    line_ += static_cast<char>(c);
    if (line_.rfind("epoch ", 0) == 0) ::kill(::getpid(), SIGKILL);
    if (c == '\n') line_.clear();
    return c;
  }
  std::string line_;
};

class GraphTrainingRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    dir_ = fs::temp_directory_path() /
           ("accsim_graph_train_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // resnet8 on `train` images in batches of 4, 2 epochs, a psum stuck-at on the array.
  RunConfig config(int train, const std::string& extra = "") const {
    const std::string text = R"({"workload": {"model": ")" + model_path("resnet8_fmnist") +
                             R"("}, "faults": [{"site": "psum", "column": 3, "bit": 12, "kind": "stuck_at_1"}],
        "training": {"epochs": 2, "batch_size": 4, "train_limit": )" + std::to_string(train) +
                             R"(, "validation_size": 4, "test_limit": 4, "eval_batch": 4, "learning_rate": 0.01)" +
                             extra + "}}";
    nlohmann::json j = nlohmann::json::parse(text);
    j["array"] = testing::ideal_config("small").at("array");
    return parse_run_config_json(j, (dir_ / "graph.json").string());
  }
  TrainingOptions options(const std::string& name) const {
    TrainingOptions o;
    o.out_file = (dir_ / (name + ".h5")).string();
    o.seed = 7;
    o.plot = false;
    return o;
  }
  static Tensor parameter(const std::string& file, const std::string& name) {
    return read_tensor(file, "/parameters/" + name);
  }
  fs::path dir_;
};

void expect_same_run(const TrainingResult& a, const TrainingResult& b) {
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t i = 0; i < a.epochs.size(); ++i) {
    EXPECT_TRUE(std::isfinite(a.epochs[i].train_loss)) << i;
    EXPECT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss) << i;
    EXPECT_EQ(a.epochs[i].train_accuracy, b.epochs[i].train_accuracy) << i;
    EXPECT_EQ(a.epochs[i].cycles, b.epochs[i].cycles) << i;
    EXPECT_EQ(a.epochs[i].val_accuracy_faulty, b.epochs[i].val_accuracy_faulty) << i;
  }
  EXPECT_EQ(a.test_accuracy_faulty, b.test_accuracy_faulty);
}

TEST_F(GraphTrainingRunTest, AccsimTrainRoutesAModelConfigToTheGraphTrainerAndWritesItsOutputs) {
  std::ostringstream out, sink;
  const TrainingResult r = run_training(training_inputs(config(8)), options("run"), out, sink);
  ASSERT_TRUE(r.complete) << out.str();
  ASSERT_EQ(r.epochs.size(), 2u);
  EXPECT_GT(r.epochs[0].cycles, 0);
  EXPECT_TRUE(std::isfinite(r.epochs[1].train_loss));
  EXPECT_TRUE(fs::exists(csv_path(options("run").out_file)));
  const Tensor trained = parameter(options("run").out_file, "stem.0.weight");
  const Graph onnx = load_onnx_model(model_path("resnet8_fmnist"), 1);
  EXPECT_GT(testing::count_bit_differences(trained, onnx.initializers.at("stem.0.weight")), 0);  // it moved
}

// One code path: fault-aware pruning works on a model as on a network (graph_pruning.h):
// the weights a faulty PE meets start at zero and stay there through the steps.
TEST_F(GraphTrainingRunTest, PruningHoldsAModelsWeightsAFaultyPeMeetsAtZero) {
  RunConfig rc = config(8);
  HardwareFault f;
  f.site = FaultSite::weight, f.row = 1, f.col = 2, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  rc.faults = {f};
  rc.mitigations.prune_faulty_weights = true;
  std::ostringstream out;
  ASSERT_TRUE(run_training(training_inputs(rc), options("pruned"), out, out).complete) << out.str();
  const Graph onnx = load_onnx_model(model_path("resnet8_fmnist"), 1);
  const PruningMasks masks = GraphPruning(rc.array, onnx).masks(rc.faults);
  ASSERT_FALSE(masks.empty());
  long long masked = 0;
  for (const auto& [name, mask] : masks) {
    const Tensor trained = parameter(options("pruned").out_file, name);
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (mask[i]) {
        ++masked;
        EXPECT_EQ(trained[i], 0.0f) << name << " " << i;
      }
    EXPECT_GT(testing::count_bit_differences(trained, onnx.initializers.at(name)), 0) << name;  // the rest trains
  }
  EXPECT_NE(out.str().find("fault-aware pruning: " + std::to_string(masked) + " weights"), std::string::npos) << out.str();
}

// The checkpoint after epoch 1 survives a SIGKILL; the rerun ends with the same bits.
TEST_F(GraphTrainingRunTest, ARunKilledWithSigkillResumesAndEndsBitIdentical) {
  const RunConfig rc = config(8, R"(, "threads": 1)");  // a forked child has no thread pool
  std::ostringstream sink;
  const TrainingResult straight = run_training(training_inputs(rc), options("straight"), sink, sink);
  const TrainingOptions killed = options("killed");
  const testing::ChildOutcome child = testing::run_in_child([&](std::string&) {
    KillAtEpochLine killer;
    std::ostream out(&killer);
    std::ostringstream progress;
    run_training(training_inputs(rc), killed, out, progress);
    return 0;
  });
  ASSERT_FALSE(child.exited) << child.describe();
  EXPECT_EQ(child.signal, SIGKILL);
  ASSERT_TRUE(fs::exists(checkpoint_path(killed.out_file)));
  const TrainingResult resumed = run_training(training_inputs(rc), killed, sink, sink);
  EXPECT_EQ(resumed.resumed_from_epoch, 1);
  expect_same_run(straight, resumed);
  for (const std::string name : {"stem.0.weight", "fc.weight", "layer3.conv2.0.bias"})
    EXPECT_EQ(testing::count_bit_differences(parameter(options("straight").out_file, name),
                                             parameter(killed.out_file, name)), 0) << name;
}

// A stop inside an epoch checkpoints the batches done, the optimizer's velocities and
// the run's cycle (a transient fault needs it).
TEST_F(GraphTrainingRunTest, AStopInsideAnEpochResumesBitIdentical) {
  const RunConfig rc = config(12);  // 3 batches per epoch
  std::ostringstream sink;
  const TrainingResult straight = run_training(training_inputs(rc), options("straight"), sink, sink);
  TrainingOptions stopped = options("stopped");
  stopped.stop_after_batches = 2;
  EXPECT_FALSE(run_training(training_inputs(rc), stopped, sink, sink).complete);
  EXPECT_FALSE(run_training(training_inputs(rc), stopped, sink, sink).complete);  // stops at epoch 2, batch 1
  stopped.stop_after_batches = 0;
  const TrainingResult resumed = run_training(training_inputs(rc), stopped, sink, sink);
  ASSERT_TRUE(resumed.complete);
  expect_same_run(straight, resumed);
  EXPECT_EQ(testing::count_bit_differences(parameter(options("straight").out_file, "fc.weight"),
                                           parameter(stopped.out_file, "fc.weight")), 0);
}

TEST_F(GraphTrainingRunTest, TheThreadCountChangesNoBitOfTheResults) {
  std::ostringstream sink;
  const TrainingResult one = run_training(training_inputs(config(8, R"(, "threads": 1)")), options("one"), sink, sink);
  const TrainingResult two = run_training(training_inputs(config(8, R"(, "threads": 2)")), options("two"), sink, sink);
  expect_same_run(one, two);
  for (const std::string name : {"stem.0.weight", "fc.weight"})
    EXPECT_EQ(testing::count_bit_differences(parameter(options("one").out_file, name),
                                             parameter(options("two").out_file, name)), 0) << name;
}

TEST_F(GraphTrainingRunTest, TrainingInitMustBeOnnxOrSeeded) {
  try {
    config(8, R"(, "init": "random")");
    FAIL() << "accepted init random";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("training.init"), std::string::npos) << e.what();
  }
}

// Seeded init: Conv and Gemm weights and biases uniform in +-1/sqrt(fan_in), LayerNorm's
// scale ones and shift zeros; reproducible from the seed, new for another seed.
TEST(GraphInit, SeededParametersFollowPytorchDefaultsPerLayer) {
  const Graph vit = load_onnx_model(model_path("vit_fmnist"), 1);
  const auto a = seeded_parameters(vit, 1), b = seeded_parameters(vit, 1), c = seeded_parameters(vit, 2);
  ASSERT_EQ(a.size(), trainable_parameters(vit).size());
  const auto max_abs = [](const Tensor& t) {
    float m = 0.0f;
    for (std::size_t i = 0; i < t.size(); ++i) m = std::max(m, std::fabs(t[i]));
    return m;
  };
  EXPECT_LE(max_abs(a.at("patch_embed.weight")), 1.0f / 7.0f);   // fan_in 1*7*7
  EXPECT_GT(max_abs(a.at("patch_embed.weight")), 0.9f / 7.0f);
  EXPECT_LE(max_abs(a.at("blocks.0.mlp.fc2.weight")), 1.0f / std::sqrt(128.0f));  // fan_in 128
  EXPECT_GT(max_abs(a.at("blocks.0.mlp.fc2.weight")), 0.9f / std::sqrt(128.0f));
  EXPECT_LE(max_abs(a.at("blocks.0.mlp.fc2.bias")), 1.0f / std::sqrt(128.0f));
  EXPECT_EQ(a.at("norm.weight")[5], 1.0f);
  EXPECT_EQ(a.at("norm.bias")[5], 0.0f);
  for (const auto& [name, t] : a) EXPECT_EQ(testing::count_bit_differences(t, b.at(name)), 0) << name;
  EXPECT_GT(testing::count_bit_differences(a.at("head.weight"), c.at("head.weight")), 0);
}

// Kaiming init (graph_init.h): Conv and Gemm weights uniform in +-sqrt(6/fan_in), so of
// variance 2/fan_in (He et al.'s ReLU gain), their biases 0; reproducible from the seed.
TEST(GraphInit, KaimingParametersHaveVariance2OverFanIn) {
  const Graph mobilenet = load_onnx_model(model_path("mobilenet_fmnist"), 1);
  const auto a = seeded_parameters(mobilenet, 1, "kaiming"), b = seeded_parameters(mobilenet, 1, "kaiming");
  ASSERT_EQ(a.size(), trainable_parameters(mobilenet).size());
  const auto moments = [](const Tensor& t) {  // {max |x|, mean of x^2}
    double m = 0.0, sq = 0.0;
    for (std::size_t i = 0; i < t.size(); ++i) m = std::max(m, std::fabs(double(t[i]))), sq += double(t[i]) * t[i];
    return std::array<double, 2>{m, sq / static_cast<double>(t.size())};
  };
  // name, fan_in: a pointwise Conv (8192 draws), the depthwise Conv (fan_in 1*3*3), the Gemm head.
  for (const auto& [name, fan_in] : {std::pair<std::string, double>{"blocks.3.pw.0.weight", 64.0},
                                     {"blocks.2.dw.0.weight", 9.0}, {"fc.weight", 128.0}}) {
    const auto [max_abs, second] = moments(a.at(name));
    EXPECT_LE(max_abs, std::sqrt(6.0 / fan_in)) << name;
    EXPECT_GT(max_abs, 0.9 * std::sqrt(6.0 / fan_in)) << name;
    EXPECT_NEAR(second, 2.0 / fan_in, (name == "blocks.3.pw.0.weight" ? 0.05 : 0.15) * 2.0 / fan_in) << name;
  }
  for (const std::string name : {"blocks.3.pw.0.bias", "fc.bias", "stem.0.bias"})
    EXPECT_EQ(moments(a.at(name))[0], 0.0) << name;
  for (const auto& [name, t] : a) EXPECT_EQ(testing::count_bit_differences(t, b.at(name)), 0) << name;
  EXPECT_TRUE(is_seeded_init("kaiming") && is_seeded_init("seeded") && !is_seeded_init("onnx"));
}

// A few steps on one batch lower its loss (the update goes down the gradient).
TEST(GraphTrainer, StepsOnOneBatchLowerItsLoss) {
  if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const LabelledImages data = load_fashion_mnist(kFashionMnistDir, DatasetSplit::train, 0, 4);
  GraphTrainer trainer(model_path("mobilenet_fmnist"), {});
  trainer.parameters() = seeded_parameters(trainer.graph(1), 3);
  OptimizerConfig sgd_config;
  sgd_config.lr = 0.05;
  const std::unique_ptr<Optimizer> sgd = make_optimizer(sgd_config, trainer.parameter_specs());
  const PeFaults none;
  const auto engine = make_engine("fast", testing::preset("small"), none, 1);
  long long cycle = 0;
  const double first = trainer.train_step(data.images, data.labels, *engine, *sgd, cycle).loss.loss;
  double last = first;
  for (int i = 0; i < 3; ++i) last = trainer.train_step(data.images, data.labels, *engine, *sgd, cycle).loss.loss;
  EXPECT_LT(last, first);
  EXPECT_GT(cycle, 0);
}

}  // namespace
}  // namespace accsim
