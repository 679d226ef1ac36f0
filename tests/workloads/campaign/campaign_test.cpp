// Campaigns: outcomes, determinism across thread counts, interrupted-and-resumed runs,
// and checkpoints of other campaigns.
#include "workloads/campaign/campaign.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "arch/input_error.h"
#include "temp_dir.h"
#include "workloads/campaign/experiment_record_check.h"
#include "test_util.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/campaign/campaign_fault.h"
#include "workloads/io/results_file.h"
#include "workloads/models/network_graph.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

Campaign small_campaign(long long experiments, int threads) {
  Campaign c;
  c.array = testing::preset("small");
  c.seed = 9;
  const NetworkParameters params = init_parameters(lenet5(), c.seed);
  for (int batch : {2, 1}) c.graphs[batch] = std::make_shared<const Graph>(network_graph(lenet5(), params, batch));
  Rng rng(5);
  c.images = testing::random_tensor({5, 1, 28, 28}, rng, 0.0f, 1.0f);
  c.labels = {0, 1, 2, 3, 4};
  c.config.experiments = experiments;
  c.config.test_limit = 5;
  c.config.batch = 2;  // batches of 2, 2, 1
  c.config.sites = {FaultSite::weight, FaultSite::input, FaultSite::product, FaultSite::psum, FaultSite::accumulator};
  c.config.kinds = {FaultKind::stuck_at_0, FaultKind::stuck_at_1, FaultKind::transient};
  c.config.bit_lo = 18;
  c.config.bit_hi = 31;
  c.config.threads = threads;
  return c;
}

// Every field of every experiment.
void expect_same_results(const CampaignResults& a, const CampaignResults& b) {
  ASSERT_EQ(a.experiments.size(), b.experiments.size());
  EXPECT_EQ(a.key, b.key);
  for (std::size_t i = 0; i < a.experiments.size(); ++i) {
    const ExperimentResult &x = a.experiments[i], &y = b.experiments[i];
    const std::string what = "experiment " + std::to_string(i) + " " + describe(x.fault);
    testing::expect_same_record(x, y, what);
  }
}

using testing::TempDir;

TEST(Campaign, OutcomesFollowThePvfClassification) {
  EXPECT_EQ(classify_outcome(0, 0), Outcome::masked);
  EXPECT_EQ(classify_outcome(2, 0), Outcome::sdc);
  EXPECT_EQ(classify_outcome(0, 1), Outcome::crash);
  EXPECT_EQ(classify_outcome(3, 1), Outcome::crash);  // a NaN anywhere outranks a wrong class
}

TEST(Campaign, WeightStuckAtOfTheTopExponentBitIsRecordedAsACrashNotAnAbort) {
  Campaign c = small_campaign(8, 2);
  c.config.sites = {FaultSite::weight};
  c.config.kinds = {FaultKind::stuck_at_1};
  c.config.bit_lo = c.config.bit_hi = 30;
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  for (const auto& e : r.experiments) {
    EXPECT_EQ(e.outcome, Outcome::crash) << describe(e.fault);
    EXPECT_GT(e.nonfinite_images, 0) << describe(e.fault);
    // The record names where the NaN/Inf appeared and the non-finite witness image.
    EXPECT_GE(e.nonfinite_node, 0) << describe(e.fault);
    EXPECT_LT(e.nonfinite_node, static_cast<int>(r.graph_nodes.size()));
    EXPECT_TRUE(std::isnan(e.margin)) << describe(e.fault);
    EXPECT_GE(e.image, 0);
    EXPECT_LT(e.image, r.images);
  }
}

TEST(Campaign, EachExperimentRecordsItsWitnessImageWithPredictionsAndMargin) {
  Campaign c = small_campaign(40, 2);
  c.labels = run_campaign(c).golden_predictions;  // every image correct fault-free: changed predictions are SDCs
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  int sdc = 0;
  for (const auto& e : r.experiments) {
    const std::string what = describe(e.fault);
    ASSERT_GE(e.image, 0) << what;
    ASSERT_LT(e.image, r.images) << what;
    EXPECT_EQ(e.golden_top1, r.golden_predictions[static_cast<std::size_t>(e.image)]) << what;
    EXPECT_EQ(std::isnan(e.margin), e.outcome == Outcome::crash) << what;
    EXPECT_EQ(e.nonfinite_node >= 0, e.outcome == Outcome::crash) << what;
    if (e.margin > 0) {
      EXPECT_EQ(e.faulty_top1, e.golden_top1) << what;
    }
    if (e.margin < 0) {
      EXPECT_NE(e.faulty_top1, e.golden_top1) << what;
    }
    if (e.outcome == Outcome::sdc) {
      ++sdc;
      EXPECT_LE(e.margin, 0) << what;  // the smallest margin is the turned image's (or another changed one's)
    }
    if (e.outcome == Outcome::masked && e.trace == std::vector<long long>(r.nodes.size(), 0)) {
      EXPECT_GT(e.margin, 0) << what;  // nothing changed: the fault-free margins, all positive here
    }
  }
  EXPECT_GT(sdc, 0);
}

TEST(Campaign, AnExperimentsFaultDependsOnlyOnSeedAndIndex) {
  const Campaign c = small_campaign(10, 1);
  const HardwareFault a = draw_campaign_fault(c.config, c.array, c.seed, 7, 1000);
  CampaignConfig more = c.config;
  more.experiments = 1000;
  EXPECT_EQ(describe(a), describe(draw_campaign_fault(more, c.array, c.seed, 7, 1000)));
  EXPECT_NE(describe(a), describe(draw_campaign_fault(c.config, c.array, c.seed + 1, 7, 1000)));
}

TEST(Campaign, OneThreadAndTwoThreadsGiveIdenticalPerExperimentResults) {
  const CampaignResults one = run_campaign(small_campaign(24, 1));
  const CampaignResults two = run_campaign(small_campaign(24, 2));
  ASSERT_TRUE(one.complete());
  ASSERT_TRUE(two.complete());
  expect_same_results(one, two);
  int not_masked = 0;
  for (const auto& e : one.experiments) not_masked += e.outcome != Outcome::masked;
  EXPECT_GT(not_masked, 0);  // the comparison covers experiments that did something
}

TEST(Campaign, AnInterruptedRunResumedFromItsCheckpointEqualsAnUninterruptedRun) {
  TempDir dir;
  const std::string checkpoint = dir.file("c.h5.checkpoint");
  const Campaign c = small_campaign(20, 2);
  CampaignRunOptions first;
  first.checkpoint = checkpoint;
  first.max_experiments = 7;  // as if killed after 7 experiments
  const CampaignResults part = run_campaign(c, first);
  EXPECT_FALSE(part.complete());
  EXPECT_EQ(part.done_count, 7);
  ASSERT_TRUE(fs::exists(checkpoint));
  EXPECT_EQ(read_int64s(checkpoint, "/index").size(), 7u);

  CampaignRunOptions rest;
  rest.checkpoint = checkpoint;
  const CampaignResults resumed = run_campaign(c, rest);
  EXPECT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed, 7);
  expect_same_results(resumed, run_campaign(small_campaign(20, 1)));
}

TEST(Campaign, ACheckpointOfAnotherCampaignIsRefusedWithAClearMessage) {
  TempDir dir;
  const std::string checkpoint = dir.file("c.h5.checkpoint");
  CampaignRunOptions opts;
  opts.checkpoint = checkpoint;
  opts.max_experiments = 2;
  run_campaign(small_campaign(6, 1), opts);
  Campaign other = small_campaign(6, 1);
  other.seed = 10;
  try {
    run_campaign(other, opts);
    FAIL() << "a checkpoint of another seed was resumed";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(checkpoint), std::string::npos) << m;
    EXPECT_NE(m.find("another campaign"), std::string::npos) << m;
    EXPECT_NE(m.find("delete it"), std::string::npos) << m;
  }
  // The thread count is not part of the campaign: the checkpoint resumes with 2 threads.
  opts.max_experiments = -1;
  EXPECT_TRUE(run_campaign(small_campaign(6, 2), opts).complete());
}

TEST(Campaign, KeyChangesWithTheModelTheImagesAndTheSeedButNotTheThreads) {
  const Campaign c = small_campaign(6, 1);
  const std::string key = campaign_key(c);
  EXPECT_EQ(key, campaign_key(small_campaign(6, 2)));
  Campaign model = c;
  Graph changed = *c.graphs.at(2);
  changed.initializers.at("conv2.weight")[0] += 1.0f;
  model.graphs[2] = std::make_shared<const Graph>(std::move(changed));
  EXPECT_NE(key, campaign_key(model));
  Campaign images = c;
  images.images[100] += 0.5f;
  EXPECT_NE(key, campaign_key(images));
  Campaign seed = c;
  seed.seed += 1;
  EXPECT_NE(key, campaign_key(seed));
  Campaign sites = c;
  std::swap(sites.config.sites[0], sites.config.sites[1]);  // the draw picks sites by position
  EXPECT_NE(key, campaign_key(sites));
  Campaign checkpoints = c;
  checkpoints.config.checkpoint_seconds = 1.0;
  EXPECT_EQ(key, campaign_key(checkpoints));
}

}  // namespace
}  // namespace accsim
