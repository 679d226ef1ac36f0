// Replaying campaign experiments: every recorded value of random experiments (crashes
// included) equals the campaign's, and the full record agrees with it.
#include "workloads/replay/campaign_replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "arch/input_error.h"
#include "arch/number_format.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/experiment_record_check.h"
#include "workloads/models/network_graph.h"
#include "workloads/replay/image_ranking.h"

namespace accsim {
namespace {

// LeNet-5 with seeded parameters on 5 random images in batches of 2, 2, 1; the exponent
// bits make crashes (NaN/Inf) common.
Campaign small_campaign(long long experiments) {
  Campaign c;
  c.array = testing::preset("small");
  c.seed = 21;
  const NetworkParameters params = init_parameters(lenet5(), c.seed);
  for (int batch : {2, 1}) c.graphs[batch] = std::make_shared<const Graph>(network_graph(lenet5(), params, batch));
  Rng rng(8);
  c.images = testing::random_tensor({5, 1, 28, 28}, rng, 0.0f, 1.0f);
  c.labels = {0, 1, 2, 3, 4};
  c.config.experiments = experiments;
  c.config.test_limit = 5;
  c.config.batch = 2;
  c.config.sites = {FaultSite::weight, FaultSite::input, FaultSite::product, FaultSite::psum, FaultSite::accumulator};
  c.config.kinds = {FaultKind::stuck_at_0, FaultKind::stuck_at_1, FaultKind::transient};
  c.config.bit_lo = 22;
  c.config.bit_hi = 31;
  c.config.threads = 2;
  return c;
}

TEST(CampaignReplay, FiftyRandomExperimentsReplayEqualToTheCampaignsRecords) {
  const Campaign c = small_campaign(150);
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  std::vector<long long> order(static_cast<std::size_t>(c.config.experiments));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<long long>(i);
  Rng rng(77);
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  order.resize(50);
  const CampaignReplayer replayer(c);
  int outcomes[3] = {0, 0, 0};
  for (long long index : order) {
    const ExperimentResult e = replayer.replay(index, "test");
    testing::expect_same_record(e, r.experiments[static_cast<std::size_t>(index)], "experiment " + std::to_string(index));
    ++outcomes[static_cast<int>(e.outcome)];
  }
  EXPECT_GT(outcomes[0], 0);
  EXPECT_GT(outcomes[1], 0);  // SDC
  EXPECT_GT(outcomes[2], 0);  // crashes are replayed too
}

TEST(CampaignReplay, AnIndexOutsideTheCampaignIsRefusedNamingTheRange) {
  const Campaign c = small_campaign(10);
  const CampaignReplayer replayer(c);
  for (long long bad : {-1LL, 10LL}) {
    try {
      replayer.replay(bad, "x.json: --experiment");
      FAIL() << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("x.json: --experiment"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("[0, 9]"), std::string::npos) << e.what();
    }
  }
}

// Sum over batches of the output elements of node `k` whose bits differ fault-free and faulty.
long long differing(const std::string& file, int batches, std::size_t k) {
  long long d = 0;
  for (int b = 0; b < batches; ++b) {
    const std::string at = "/batches/" + std::to_string(b);
    const Tensor g = read_tensor(file, at + "/golden/" + std::to_string(k));
    const Tensor f = read_tensor(file, at + "/faulty/" + std::to_string(k));
    for (std::size_t i = 0; i < g.size(); ++i) d += float_bits(g[i]) != float_bits(f[i]);
  }
  return d;
}

bool nonfinite_output(const std::string& file, int batches, std::size_t k) {
  for (int b = 0; b < batches; ++b) {
    const Tensor f = read_tensor(file, "/batches/" + std::to_string(b) + "/faulty/" + std::to_string(k));
    if (std::any_of(f.data(), f.data() + f.size(), [](float x) { return !std::isfinite(x); })) return true;
  }
  return false;
}

// The full record of experiment `index` agrees with its campaign record.
void expect_consistent_record(const CampaignReplayer& replayer, long long index, const std::string& file) {
  const ExperimentResult e = replayer.replay(index, "test");
  {
    ResultsFile h5(file);
    replayer.write(h5, index, e);
    h5.commit();
  }
  const CampaignResults& h = replayer.header();
  EXPECT_EQ(read_int64s(file, "/experiment/outcome"), (std::vector<std::int64_t>{static_cast<int>(e.outcome)}));
  EXPECT_EQ(read_int64s(file, "/experiment/image"), (std::vector<std::int64_t>{e.image}));
  const std::vector<double> margin = read_doubles(file, "/images/margin");
  const auto w = static_cast<std::size_t>(e.image);
  EXPECT_TRUE(margin.at(w) == e.margin || (std::isnan(margin.at(w)) && std::isnan(e.margin)));
  std::vector<hsize_t> dims;
  const std::vector<std::int64_t> golden_top = read_int64_array(file, "/images/golden_top5", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{5, 5}));
  EXPECT_EQ(golden_top.at(w * 5), e.golden_top1);
  if (!std::isnan(e.margin)) {
    EXPECT_EQ(read_int64_array(file, "/images/faulty_top5", dims).at(w * 5), e.faulty_top1);
  }
  const std::vector<std::int64_t> nonfinite = read_int64s(file, "/images/nonfinite");
  EXPECT_EQ(std::count(nonfinite.begin(), nonfinite.end(), 1), e.nonfinite_images);
  // The trace is the per-node outputs' differences; the first non-finite node holds a NaN/Inf.
  const std::vector<std::string> nodes = read_strings(file, "/node_names");
  for (std::size_t col = 0; col < h.nodes.size(); ++col) {
    const auto k = static_cast<std::size_t>(std::find(nodes.begin(), nodes.end(), h.nodes[col]) - nodes.begin());
    EXPECT_EQ(differing(file, h.batches, k), e.trace[col]) << h.nodes[col];
  }
  if (e.nonfinite_node >= 0) {
    EXPECT_TRUE(nonfinite_output(file, h.batches, static_cast<std::size_t>(e.nonfinite_node)));
  }
}

TEST(CampaignReplay, TheFullRecordAgreesWithTheCampaignRecordForASdcAndACrash) {
  const Campaign c = small_campaign(60);
  const CampaignResults r = run_campaign(c);
  const CampaignReplayer replayer(c);
  testing::TempDir dir;
  for (Outcome wanted : {Outcome::sdc, Outcome::crash}) {
    const auto it = std::find_if(r.experiments.begin(), r.experiments.end(),
                                 [&](const ExperimentResult& e) { return e.outcome == wanted; });
    ASSERT_NE(it, r.experiments.end()) << to_string(wanted);
    SCOPED_TRACE(to_string(wanted));
    expect_consistent_record(replayer, it - r.experiments.begin(), dir.file(to_string(wanted) + ".h5"));
  }
}

TEST(ImageRanking, RanksByLogitWithNanLastAndTiesByClass) {
  const float nan = std::nanf("");
  const std::vector<float> logits = {1.0f, nan, 3.0f, 3.0f, -INFINITY, 2.0f};
  EXPECT_EQ(top_classes(logits.data(), 6, 5), (std::vector<int>{2, 3, 5, 0, 4}));
  EXPECT_EQ(top_classes(logits.data(), 2, 5), (std::vector<int>{0, 1}));
}

}  // namespace
}  // namespace accsim
