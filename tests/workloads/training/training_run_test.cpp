// `accsim train` as a library: it learns, it survives being killed, it records crashes.
#include "workloads/training/training_run.h"

#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "arch/input_error.h"
#include "dataset_copy.h"
#include "test_util.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/mitigations/fault_aware_pruning.h"
#include "workloads/models/model_file.h"
#include "workloads/run/run_config.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

class TrainingRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fashion_mnist_available(kFashionMnistDir)) GTEST_SKIP() << "dataset-fashion-mnist is not installed";
    dir_ = fs::temp_directory_path() /
           ("accsim_train_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  RunConfig config(int train, int validation, int test, int epochs) const {
    RunConfig rc;
    rc.file = "test.json";
    rc.array = testing::preset("small");
    rc.json_text = "test " + std::to_string(train) + "/" + std::to_string(epochs);
    rc.training.train_limit = train;
    rc.training.validation_size = validation;
    rc.training.test_limit = test;
    rc.training.epochs = epochs;
    return rc;
  }
  TrainingOptions options(const std::string& name) const {
    TrainingOptions o;
    o.out_file = (dir_ / (name + ".h5")).string();
    o.seed = 123;
    o.plot = false;
    return o;
  }
  fs::path dir_;
};

TEST_F(TrainingRunTest, ShortFaultFreeRunOn2kImagesReachesOver70PercentTestAccuracy) {
  const RunConfig rc = config(2000, 500, 1000, 3);
  std::ostringstream out, progress;
  const TrainingResult r = run_training(training_inputs(rc), options("clean"), out, progress);
  ASSERT_EQ(r.epochs.size(), 3u);
  EXPECT_GT(r.test_accuracy_fault_free, 0.70) << out.str();
  EXPECT_EQ(r.test_accuracy_faulty, r.test_accuracy_fault_free);  // no faults: one array
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
  EXPECT_TRUE(fs::exists(csv_path(options("clean").out_file)));
}

TEST_F(TrainingRunTest, AKilledRunResumesFromItsCheckpointAndEndsBitIdentical) {
  RunConfig rc = config(256, 128, 128, 3);
  HardwareFault f;  // a permanent fault, so the resumed part runs on a faulty array too
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  rc.faults = {f};
  std::ostringstream sink;
  const TrainingResult straight = run_training(training_inputs(rc), options("straight"), sink, sink);

  TrainingOptions killed = options("killed");
  killed.stop_after_epochs = 1;  // "killed" after epoch 1, then again after epoch 2
  EXPECT_EQ(run_training(training_inputs(rc), killed, sink, sink).epochs.size(), 1u);
  EXPECT_TRUE(fs::exists(checkpoint_path(killed.out_file)));
  EXPECT_FALSE(fs::exists(killed.out_file));
  EXPECT_EQ(run_training(training_inputs(rc), killed, sink, sink).resumed_from_epoch, 1);
  killed.stop_after_epochs = 0;
  const TrainingResult resumed = run_training(training_inputs(rc), killed, sink, sink);
  EXPECT_EQ(resumed.resumed_from_epoch, 2);
  EXPECT_FALSE(fs::exists(checkpoint_path(killed.out_file)));  // complete: deleted

  ASSERT_EQ(resumed.epochs.size(), straight.epochs.size());
  for (std::size_t i = 0; i < straight.epochs.size(); ++i) {
    EXPECT_EQ(resumed.epochs[i].train_loss, straight.epochs[i].train_loss) << i;
    EXPECT_EQ(resumed.epochs[i].val_accuracy_faulty, straight.epochs[i].val_accuracy_faulty) << i;
    EXPECT_EQ(resumed.epochs[i].cycles, straight.epochs[i].cycles) << i;
  }
  EXPECT_EQ(resumed.test_accuracy_faulty, straight.test_accuracy_faulty);
  const NetworkParameters a = read_parameters(options("straight").out_file, lenet5());
  const NetworkParameters b = read_parameters(killed.out_file, lenet5());
  for (std::size_t i = 0; i < a.weights.size(); ++i)
    EXPECT_EQ(testing::count_bit_differences(a.weights[i], b.weights[i]), 0) << i;
}

// A signal stops a run inside an epoch: the batches done are checkpointed with their
// sums, and the resumed run ends bit-identical to one never stopped.
TEST_F(TrainingRunTest, AStopInsideAnEpochKeepsItsBatchesAndTheResumedRunEndsBitIdentical) {
  RunConfig rc = config(256, 64, 64, 2);  // 4 batches of 64 per epoch
  HardwareFault f;  // a transient: the resumed run must restore the run's cycle too
  f.site = FaultSite::psum, f.col = 2, f.bit = 27, f.kind = FaultKind::transient, f.cycle = 400000;
  rc.faults = {f};
  std::ostringstream sink;
  const TrainingResult straight = run_training(training_inputs(rc), options("straight"), sink, sink);

  TrainingOptions stopped = options("stopped");
  stopped.stop_after_batches = 3;
  const TrainingResult first = run_training(training_inputs(rc), stopped, sink, sink);
  EXPECT_FALSE(first.complete);
  EXPECT_EQ(first.stopped_epoch, 1);
  EXPECT_EQ(first.stopped_batch, 3);
  EXPECT_TRUE(first.epochs.empty());
  EXPECT_TRUE(fs::exists(checkpoint_path(stopped.out_file)));
  EXPECT_FALSE(fs::exists(stopped.out_file));
  const TrainingResult second = run_training(training_inputs(rc), stopped, sink, sink);  // 1 batch ends epoch 1, 2 more of epoch 2
  EXPECT_FALSE(second.complete);
  EXPECT_EQ(second.stopped_epoch, 2);
  EXPECT_EQ(second.stopped_batch, 2);
  ASSERT_EQ(second.epochs.size(), 1u);
  EXPECT_EQ(second.epochs[0].train_loss, straight.epochs[0].train_loss);
  stopped.stop_after_batches = 0;
  std::ostringstream resumed_out;
  const TrainingResult resumed = run_training(training_inputs(rc), stopped, resumed_out, sink);
  ASSERT_TRUE(resumed.complete);
  EXPECT_NE(resumed_out.str().find("after epoch 1 and 2 batches of epoch 2"), std::string::npos) << resumed_out.str();
  EXPECT_FALSE(fs::exists(checkpoint_path(stopped.out_file)));
  ASSERT_EQ(resumed.epochs.size(), straight.epochs.size());
  for (std::size_t i = 0; i < straight.epochs.size(); ++i) {
    EXPECT_EQ(resumed.epochs[i].train_loss, straight.epochs[i].train_loss) << i;
    EXPECT_EQ(resumed.epochs[i].train_accuracy, straight.epochs[i].train_accuracy) << i;
    EXPECT_EQ(resumed.epochs[i].nonfinite_batches, straight.epochs[i].nonfinite_batches) << i;
    EXPECT_EQ(resumed.epochs[i].cycles, straight.epochs[i].cycles) << i;
    EXPECT_EQ(resumed.epochs[i].val_accuracy_faulty, straight.epochs[i].val_accuracy_faulty) << i;
  }
  const NetworkParameters a = read_parameters(options("straight").out_file, lenet5());
  const NetworkParameters b = read_parameters(stopped.out_file, lenet5());
  for (std::size_t i = 0; i < a.weights.size(); ++i)
    EXPECT_EQ(testing::count_bit_differences(a.weights[i], b.weights[i]), 0) << i;
}

// Adam's moments, its step count and the schedule's position survive a stop inside an
// epoch: AdamW with warm-up + cosine, stopped mid-epoch, ends bit-identical to a run never
// stopped; the optimiser and schedule of the config are what trained (SGD differs).
TEST_F(TrainingRunTest, AdamWWithWarmUpAndCosineStoppedInsideAnEpochResumesBitIdentical) {
  RunConfig rc = config(192, 64, 64, 2);  // 3 batches of 64 per epoch, 6 steps
  rc.training.optimizer.name = "adamw";
  rc.training.optimizer.lr = 2e-3;
  rc.training.optimizer.weight_decay = 0.01;
  rc.training.schedule.name = "cosine";
  rc.training.schedule.warmup_steps = 2;
  rc.training.schedule.min_lr = 1e-4;
  std::ostringstream sink;
  const TrainingResult straight = run_training(training_inputs(rc), options("straight"), sink, sink);

  TrainingOptions stopped = options("stopped");
  stopped.stop_after_batches = 2;
  EXPECT_FALSE(run_training(training_inputs(rc), stopped, sink, sink).complete);  // stopped in epoch 1
  EXPECT_FALSE(run_training(training_inputs(rc), stopped, sink, sink).complete);  // in epoch 2
  stopped.stop_after_batches = 0;
  const TrainingResult resumed = run_training(training_inputs(rc), stopped, sink, sink);
  ASSERT_TRUE(resumed.complete);
  ASSERT_EQ(resumed.epochs.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_EQ(resumed.epochs[i].train_loss, straight.epochs[i].train_loss) << i;
  const NetworkParameters a = read_parameters(options("straight").out_file, lenet5());
  const NetworkParameters b = read_parameters(stopped.out_file, lenet5());
  for (std::size_t i = 0; i < a.weights.size(); ++i) {
    EXPECT_EQ(testing::count_bit_differences(a.weights[i], b.weights[i]), 0) << i;
    EXPECT_EQ(testing::count_bit_differences(a.biases[i], b.biases[i]), 0) << i;
  }

  RunConfig sgd = rc;
  sgd.training.optimizer = OptimizerConfig{};
  sgd.json_text += " sgd";
  run_training(training_inputs(sgd), options("sgd"), sink, sink);
  const NetworkParameters c = read_parameters(options("sgd").out_file, lenet5());
  EXPECT_GT(testing::count_bit_differences(a.weights[0], c.weights[0]), 0);
}

// A damaged checkpoint's optimiser buffer is refused by its shape, before it is read.
TEST_F(TrainingRunTest, ACheckpointWhoseOptimiserBufferHasAnotherShapeIsRefused) {
  const RunConfig rc = config(128, 64, 64, 1);
  TrainingOptions o = options("damaged");
  o.stop_after_batches = 1;
  std::ostringstream sink;
  run_training(training_inputs(rc), o, sink, sink);
  const std::string ckpt = checkpoint_path(o.out_file);
  {
    const H5::H5File h5(ckpt, H5F_ACC_RDWR);
    h5.unlink("/optimizer/state/0");
    const hsize_t dims[1] = {7};
    h5.createDataSet("/optimizer/state/0", H5::PredType::IEEE_F32LE, H5::DataSpace(1, dims));
  }
  o.stop_after_batches = 0;
  try {
    run_training(training_inputs(rc), o, sink, sink);
    FAIL() << "resumed from a damaged checkpoint";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(ckpt + ": /optimizer/state/0 (momentum_buffer/"), std::string::npos) << e.what();
  }
}

TEST_F(TrainingRunTest, TheThreadCountChangesNoBitOfTheResults) {
  RunConfig rc = config(96, 32, 32, 1);
  HardwareFault f;
  f.site = FaultSite::psum, f.col = 3, f.bit = 27, f.kind = FaultKind::stuck_at_1;
  rc.faults = {f};
  std::ostringstream sink;
  rc.training.threads = 1;
  const TrainingResult one = run_training(training_inputs(rc), options("one"), sink, sink);
  rc.training.threads = 2;
  const TrainingResult two = run_training(training_inputs(rc), options("two"), sink, sink);
  EXPECT_EQ(one.epochs[0].train_loss, two.epochs[0].train_loss);
  EXPECT_EQ(one.test_accuracy_faulty, two.test_accuracy_faulty);
  const NetworkParameters a = read_parameters(options("one").out_file, lenet5());
  const NetworkParameters b = read_parameters(options("two").out_file, lenet5());
  for (std::size_t i = 0; i < a.weights.size(); ++i)
    EXPECT_EQ(testing::count_bit_differences(a.weights[i], b.weights[i]), 0) << i;
}

TEST_F(TrainingRunTest, ACheckpointOfAnotherConfigIsRefusedWithAClearMessage) {
  const RunConfig rc = config(128, 64, 64, 2);
  TrainingOptions o = options("other");
  o.stop_after_epochs = 1;
  std::ostringstream sink;
  run_training(training_inputs(rc), o, sink, sink);
  RunConfig changed = rc;
  changed.training.optimizer.lr = 0.02;
  changed.json_text += " lr";
  try {
    run_training(training_inputs(changed), o, sink, sink);
    FAIL() << "resumed a different run";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint of a different run"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(checkpoint_path(o.out_file)), std::string::npos) << e.what();
  }
}

TEST_F(TrainingRunTest, TopExponentBitStuckAtOneIsRecordedAsNonFiniteBatchesNotAnAbort) {
  RunConfig rc = config(128, 64, 64, 1);
  HardwareFault f;  // bit 30 forced 1 turns every weight in that register into a huge value
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 30, f.kind = FaultKind::stuck_at_1;
  rc.faults = {f};
  std::ostringstream sink;
  const TrainingResult r = run_training(training_inputs(rc), options("crash"), sink, sink);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_GT(r.epochs[0].nonfinite_batches, 0);
  EXPECT_TRUE(std::isnan(r.epochs[0].train_loss));
}

// Fault-aware pruning in a network's run (trained as its graph): the weights the chain's
// own mapping (fault_aware_pruning.h) puts on the faulty PE start at zero and stay there
// through the steps, under a swizzle that spreads them.
TEST_F(TrainingRunTest, PruningHoldsTheWeightsAFaultyPeMeetsAtZeroThroughTraining) {
  RunConfig rc = config(128, 16, 16, 1);
  rc.array.swizzle = SwizzlePolicy::xor_;
  HardwareFault f;
  f.site = FaultSite::weight, f.row = 1, f.col = 2, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  rc.faults = {f};
  rc.mitigations.prune_faulty_weights = true;
  std::ostringstream out;
  ASSERT_TRUE(run_training(training_inputs(rc), options("pruned"), out, out).complete);
  const auto masks = pruning_masks(rc.workload.network, rc.array, rc.faults);
  const NetworkParameters trained = read_parameters(options("pruned").out_file, rc.workload.network);
  long long masked = 0, zero = 0;
  for (std::size_t l = 0; l < masks.size(); ++l)
    for (std::size_t i = 0; i < masks[l].size(); ++i) {
      masked += masks[l][i];
      zero += masks[l][i] && trained.weights[l][i] == 0.0f;
    }
  ASSERT_GT(masked, 0);
  EXPECT_EQ(zero, masked);
  EXPECT_NE(out.str().find("fault-aware pruning: " + std::to_string(masked) + " weights held at zero"), std::string::npos)
      << out.str();
  const NetworkParameters start = init_parameters(rc.workload.network, options("pruned").seed);
  EXPECT_GT(testing::count_bit_differences(trained.weights[0], start.weights[0]), 0);  // the others train
}

// A pruned run stopped inside an epoch resumes holding the pruned weights at zero (the
// checkpoint has them zero; the masks are found again, not re-announced) and ends
// bit-identical to one never stopped.
TEST_F(TrainingRunTest, APrunedRunStoppedInsideAnEpochResumesBitIdentical) {
  RunConfig rc = config(192, 16, 16, 1);
  HardwareFault f;
  f.site = FaultSite::weight, f.row = 0, f.col = 0, f.bit = 28, f.kind = FaultKind::stuck_at_0;
  rc.faults = {f};
  rc.mitigations.prune_faulty_weights = true;
  std::ostringstream sink;
  run_training(training_inputs(rc), options("straight"), sink, sink);
  TrainingOptions stopped = options("stopped");
  stopped.stop_after_batches = 1;
  EXPECT_FALSE(run_training(training_inputs(rc), stopped, sink, sink).complete);
  stopped.stop_after_batches = 0;
  std::ostringstream resumed_out;
  ASSERT_TRUE(run_training(training_inputs(rc), stopped, resumed_out, sink).complete);
  EXPECT_EQ(resumed_out.str().find("fault-aware pruning"), std::string::npos) << resumed_out.str();
  const NetworkParameters a = read_parameters(options("straight").out_file, lenet5());
  const NetworkParameters b = read_parameters(stopped.out_file, lenet5());
  for (std::size_t i = 0; i < a.weights.size(); ++i)
    EXPECT_EQ(testing::count_bit_differences(a.weights[i], b.weights[i]), 0) << i;
}

// Issue 12, item 8: a checkpoint must not resume after the dataset changed (the results
// would mix two datasets), and must resume whatever the thread count.
TEST_F(TrainingRunTest, ACheckpointResumesWhateverTheThreadsButNotAfterTheDatasetChanged) {
  RunConfig rc = config(64, 32, 32, 3);
  rc.workload.dataset_dir = (dir_ / "dataset").string();
  testing::link_fashion_mnist(rc.workload.dataset_dir);
  rc.json_text = R"({"training": {"threads": 1}})";
  std::ostringstream sink;
  TrainingOptions o = options("run");
  o.stop_after_epochs = 1;
  run_training(training_inputs(rc), o, sink, sink);
  ASSERT_TRUE(fs::exists(checkpoint_path(o.out_file)));
  rc.json_text = R"({"training": {"threads": 2}})";
  EXPECT_EQ(run_training(training_inputs(rc), o, sink, sink).resumed_from_epoch, 1);  // and stopped again after epoch 2
  testing::relabel_first_test_image(rc.workload.dataset_dir);
  try {
    run_training(training_inputs(rc), o, sink, sink);
    FAIL() << "resumed a checkpoint of another dataset";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint of a different run"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("dataset"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace accsim
