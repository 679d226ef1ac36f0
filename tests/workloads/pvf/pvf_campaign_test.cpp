// PVF campaigns: the PVF definition, the per-bit finding of the PVF paper on the shipped
// trained LeNet-5, mitigations on the same draws, determinism across threads and
// grouping, the shortcut against full reruns, and resuming from a checkpoint.
#include "workloads/pvf/pvf_campaign.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "arch/input_error.h"
#include "test_util.h"
#include "workloads/pvf/pvf_test_util.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/model_file.h"
#include "workloads/models/network_graph.h"
#include "workloads/pvf/pvf_graph_model.h"
#include "workloads/pvf/pvf_report.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

// The shipped trained LeNet-5 on 200 Fashion-MNIST test images (or synthetic images
// labelled with its predictions when the dataset is missing).
PvfCampaign trained_lenet(long long experiments, int threads) {
  PvfCampaign c;
  c.array = testing::preset("small");
  c.network = lenet5();
  c.params = read_parameters(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/lenet5_fashion_mnist.h5", c.network);
  c.seed = 3;
  const int n = 200;
  if (fashion_mnist_available(kFashionMnistDir)) {
    LabelledImages d = load_fashion_mnist(kFashionMnistDir, DatasetSplit::test, 0, n);
    c.images = std::move(d.images);
    c.labels = std::move(d.labels);
  } else {
    Rng rng(4);
    c.images = testing::random_tensor({n, 1, 28, 28}, rng, 0.0f, 1.0f);
    c.labels = graph_predicted_labels(network_graph(c.network, c.params, 1), c.array, c.images, 1);
  }
  c.config.experiments = experiments;
  c.config.test_limit = n;
  c.config.batch = 50;
  c.config.threads = threads;
  ParameterFaultsConfig& f = c.config.faults;
  f.models = {ParameterFaultModel{}};  // sbf
  for (const char* layer : {"conv1", "conv2", "fc1", "fc2", "fc3"}) {
    ParameterTarget t;
    t.name = layer;
    t.tensors = {layer};
    t.parameter = ParameterKind::weight;
    f.targets.push_back(t);
    f.target_paths.push_back(std::string("targets.") + layer);
  }
  return c;
}

MitigationVariant variant(const std::string& name, ClipMode clip, std::vector<int> protect) {
  MitigationVariant v;
  v.name = name;
  v.mitigations.clip.mode = clip;
  v.mitigations.protect_bits = std::move(protect);
  return v;
}

using testing::expect_same_experiments;
using testing::failures;

TEST(PvfCampaign, BitThirtyIsTheMostVulnerableBitAndLowMantissaBitsNeverMisclassify) {
  const PvfCampaign c = trained_lenet(800, 2);  // 4000 single-bit flips over the five layers
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  const PvfSummary s = summarize_pvf(c, r);
  ASSERT_EQ(s.by_bit.size(), 32u);
  const PvfRow* peak = &s.by_bit.front();
  for (const PvfRow& row : s.by_bit) {
    if (row.pvf() > peak->pvf()) peak = &row;
    if (row.bit <= 15) {
      EXPECT_EQ(row.failures(), 0) << row.group;  // a flip below 2^-8 of a weight
    }
    if (row.bit != 30) {
      EXPECT_EQ(row.crash, 0) << row.group;  // NaN/Inf needs an exponent of 255
    }
  }
  EXPECT_EQ(peak->bit, 30);
  EXPECT_GT(peak->pvf(), 0.1);
  EXPECT_GT(peak->pvf_ci.lo, s.by_bit[31].pvf_ci.hi);  // clearly above the sign bit
  // PVF = D / N: N counts the experiments whose image the fault-free model gets right.
  long long counted = 0;
  for (const auto& e : r.experiments) counted += e.outcomes[0] != PvfOutcome::not_counted;
  EXPECT_EQ(s.overall[0].n, counted);
  EXPECT_EQ(s.overall[0].failures(), failures(r, 0));
  EXPECT_LT(counted, static_cast<long long>(r.experiments.size()));  // the trained model is not perfect
}

TEST(PvfCampaign, ProtectedBitsNeverFailAndEveryOtherDrawMatchesTheUnprotectedRun) {
  PvfCampaign c = trained_lenet(300, 2);
  c.config.mitigations = {variant("protect30", ClipMode::none, {30}),
                          variant("protect_exp", ClipMode::none, {30, 29, 28, 27, 26, 25, 24, 23})};
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  long long bit30_failures = 0;
  for (const PvfExperiment& e : r.experiments) {
    const bool fails = e.outcomes[0] == PvfOutcome::sdc || e.outcomes[0] == PvfOutcome::crash;
    if (e.bit == 30) {
      bit30_failures += fails;
      EXPECT_TRUE(e.outcomes[1] == PvfOutcome::masked || e.outcomes[1] == PvfOutcome::not_counted);
    } else {
      EXPECT_EQ(e.outcomes[1], e.outcomes[0]) << "bit " << e.bit;  // the same flip, the same result
    }
    if (e.bit >= 23 && e.bit <= 30) {
      EXPECT_TRUE(e.outcomes[2] == PvfOutcome::masked || e.outcomes[2] == PvfOutcome::not_counted);
    }
  }
  EXPECT_GT(bit30_failures, 0);
  EXPECT_LT(failures(r, 1), failures(r, 0));
  EXPECT_LE(failures(r, 2), failures(r, 1));
}

TEST(PvfCampaign, ThreadsAndGroupingDoNotChangeAnyResult) {
  PvfCampaign one = trained_lenet(200, 1), two = trained_lenet(200, 2);
  one.config.mitigations = two.config.mitigations = {variant("clip", ClipMode::zero, {}),
                                                     variant("protect", ClipMode::none, {30})};
  PvfRunOptions singles;
  singles.group = 1;
  const PvfResults a = run_pvf(one, singles), b = run_pvf(two);
  expect_same_experiments(a, b);
  EXPECT_GT(failures(a, 0), 0);  // the comparison covers experiments that did something
}

TEST(PvfCampaign, TheShortcutEqualsRerunningTheWholeNetwork) {
  PvfCampaign c = trained_lenet(40, 2);
  c.config.mitigations = {variant("clip", ClipMode::saturate, {})};
  PvfRunOptions full;
  full.shortcut = false;
  const PvfResults fast = run_pvf(c), slow = run_pvf(c, full);
  expect_same_experiments(fast, slow);
  EXPECT_GT(failures(fast, 0), 0);
}

TEST(PvfCampaign, AnInterruptedRunResumesToTheSameResultsAndOtherCheckpointsAreRefused) {
  const fs::path dir = fs::temp_directory_path() / ("accsim_pvf_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string checkpoint = (dir / "p.h5.checkpoint").string();
  const PvfCampaign c = trained_lenet(30, 2);
  PvfRunOptions first;
  first.checkpoint = checkpoint;
  first.max_experiments = 70;  // as if killed
  const PvfResults part = run_pvf(c, first);
  EXPECT_FALSE(part.complete());
  EXPECT_EQ(part.done_count(), 70);
  ASSERT_TRUE(fs::exists(checkpoint));
  PvfRunOptions rest;
  rest.checkpoint = checkpoint;
  const PvfResults resumed = run_pvf(c, rest);
  EXPECT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed, 70);
  expect_same_experiments(resumed, run_pvf(trained_lenet(30, 1)));

  PvfCampaign other = c;
  other.seed += 1;
  try {
    run_pvf(other, rest);
    FAIL() << "a checkpoint of another seed was resumed";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("another PVF campaign"), std::string::npos) << m;
    EXPECT_NE(m.find("delete it"), std::string::npos) << m;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace accsim
