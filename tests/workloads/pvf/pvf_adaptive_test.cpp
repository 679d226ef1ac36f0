// Adaptive stopping of PVF campaigns (pvf.stop): the stopping rule on each stratum (it
// stops after the first round whose Wilson half-width reaches the target, or at the
// cap), determinism across thread counts, resuming bit-identically across rounds, and
// the fixed-count equivalent.
#include "workloads/pvf/pvf_adaptive.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "test_util.h"
#include "workloads/models/model_file.h"
#include "workloads/models/network_graph.h"
#include "workloads/pvf/pvf_graph_model.h"
#include "workloads/pvf/pvf_adaptive_report.h"
#include "workloads/pvf/pvf_test_util.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

// The shipped trained LeNet-5 on 60 synthetic images labelled with its own predictions;
// strata conv1 and fc3 x bits 30 and 22 (4 strata).
PvfCampaign adaptive_lenet(double half_width, int threads) {
  PvfCampaign c;
  c.array = testing::preset("small");
  c.network = lenet5();
  c.params = read_parameters(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/lenet5_fashion_mnist.h5", c.network);
  c.seed = 5;
  const int n = 60;
  Rng rng(4);
  c.images = testing::random_tensor({n, 1, 28, 28}, rng, 0.0f, 1.0f);
  c.labels = graph_predicted_labels(network_graph(c.network, c.params, 1), c.array, c.images, 1);
  c.config.test_limit = n;
  c.config.batch = 20;
  c.config.threads = threads;
  c.config.stop.half_width = half_width;
  c.config.stop.round = 20;
  c.config.stop.max_per_stratum = 100;
  ParameterFaultsConfig& f = c.config.faults;
  f.models = {ParameterFaultModel{}};  // sbf
  for (const char* layer : {"conv1", "fc3"}) {
    ParameterTarget t;
    t.name = layer;
    t.tensors = {layer};
    t.parameter = ParameterKind::weight;
    t.bits = {22, 30};
    f.targets.push_back(t);
    f.target_paths.push_back(std::string("targets.") + layer);
  }
  return c;
}

// The tally of the first `count` samples of stratum `s`.
PvfStratumTally first_samples(const PvfResults& r, int s, long long count) {
  PvfResults part = r;
  for (std::size_t i = 0; i < part.experiments.size(); ++i)
    part.done[i] = part.experiments[i].stratum == s && part.experiments[i].sample < count;
  return tally_strata(part)[static_cast<std::size_t>(s)];
}

TEST(PvfAdaptive, StrataAreTheTargetsTimesTheirBits) {
  PvfConfig c = adaptive_lenet(0.1, 1).config;
  ResolvedTarget a, b;
  a.bits = {22, 30};
  b.bits = {30, 31};
  const std::vector<PvfStratum> strata = pvf_strata(c, {a, b});
  ASSERT_EQ(strata.size(), 4u);
  EXPECT_EQ(strata[3].target, 1);
  EXPECT_EQ(strata[3].bit, 31);
  c.stop.by_target = false;  // bit only: the union of the bits, each drawing among the targets allowing it
  const std::vector<PvfStratum> bits = pvf_strata(c, {a, b});
  ASSERT_EQ(bits.size(), 3u);
  EXPECT_EQ(stratum_candidates(bits[0], c, {a, b}).size(), 1u);  // bit 22: target a only
  EXPECT_EQ(stratum_candidates(bits[1], c, {a, b}).size(), 2u);  // bit 30: both
}

TEST(PvfAdaptive, ARelativeWidthScalesWithTheRateAndARateOfZeroNeverReachesIt) {
  PvfStratumTally t;
  t.spent = 120;
  t.n = 100;
  t.failures = 50;  // Wilson half-width 0.0962
  PvfStop stop;
  stop.relative = true;
  stop.half_width = 0.2;  // 0.1 at rate 0.5
  EXPECT_TRUE(pvf_width_reached(t, stop));
  stop.half_width = 0.19;  // 0.095
  EXPECT_FALSE(pvf_width_reached(t, stop));
  t.failures = 0;
  t.n = 100000;
  stop.half_width = 1.0;
  EXPECT_FALSE(pvf_width_reached(t, stop));
  EXPECT_FALSE(pvf_stratum_stops(t, stop));
  t.spent = stop.max_per_stratum;  // the cap stops it
  EXPECT_TRUE(pvf_stratum_stops(t, stop));
}

TEST(PvfAdaptive, AnAxisLeftOutIsDrawnWithinTheStratum) {
  PvfCampaign c = adaptive_lenet(0.12, 2);
  c.config.stop.by_target = false;  // strata: bits 22 and 30, each over conv1 and fc3
  const PvfResults r = run_pvf(c);
  ASSERT_EQ(r.strata.size(), 2u);
  std::set<std::pair<int, int>> seen;  // (stratum, target)
  for (const PvfExperiment& e : r.experiments) {
    ASSERT_EQ(e.bit, r.strata[static_cast<std::size_t>(e.stratum)].bit);
    seen.insert({e.stratum, e.target});
  }
  EXPECT_EQ(seen.size(), 4u);
}

TEST(PvfAdaptive, EachStratumStopsAtTheFirstRoundThatReachesTheWidth) {
  const PvfCampaign c = adaptive_lenet(0.12, 2);
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  const std::vector<PvfStratumTally> tallies = tally_strata(r);
  ASSERT_EQ(tallies.size(), 4u);
  bool some_early = false, some_later = false;
  for (int s = 0; s < 4; ++s) {
    const PvfStratumTally& t = tallies[static_cast<std::size_t>(s)];
    EXPECT_EQ(t.spent % c.config.stop.round, 0) << s;
    EXPECT_LE(t.spent, c.config.stop.max_per_stratum) << s;
    EXPECT_TRUE(pvf_stratum_stops(t, c.config.stop)) << s;
    for (long long k = c.config.stop.round; k < t.spent; k += c.config.stop.round)
      EXPECT_FALSE(pvf_stratum_stops(first_samples(r, s, k), c.config.stop)) << s << " could stop at " << k;
    for (std::size_t i = 0; i < r.experiments.size(); ++i) {  // the bit stratum's faults flip its bit
      if (r.experiments[i].stratum != s) continue;
      ASSERT_EQ(r.experiments[i].bit, r.strata[static_cast<std::size_t>(s)].bit);
    }
    some_early |= t.spent < c.config.stop.max_per_stratum;
    some_later |= t.spent > c.config.stop.round;
  }
  EXPECT_TRUE(some_early);  // the strata differ: the comparison covers both ends
  EXPECT_TRUE(some_later);
}

TEST(PvfAdaptive, AWidthOutOfReachStopsEveryStratumAtTheCap) {
  const PvfResults r = run_pvf(adaptive_lenet(0.001, 2));
  for (const PvfStratumTally& t : tally_strata(r)) {
    EXPECT_EQ(t.spent, 100);
    EXPECT_GT(t.half_width(), 0.001);
  }
  EXPECT_EQ(r.experiments.size(), 400u);
}

TEST(PvfAdaptive, ThreadCountsGiveTheSameRounds) {
  PvfRunOptions singles;
  singles.group = 1;
  const PvfResults a = run_pvf(adaptive_lenet(0.12, 1), singles), b = run_pvf(adaptive_lenet(0.12, 2));
  testing::expect_same_experiments(a, b);
  EXPECT_GT(testing::failures(a, 0), 0);
}

TEST(PvfAdaptive, AnInterruptedRunResumesAcrossRoundsBitIdentically) {
  const fs::path dir = fs::temp_directory_path() / ("accsim_pvf_adaptive_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string checkpoint = (dir / "p.h5.checkpoint").string();
  const PvfCampaign c = adaptive_lenet(0.12, 2);
  PvfRunOptions first;
  first.checkpoint = checkpoint;
  first.max_experiments = 90;  // round 0 (80) and part of round 1, as if killed
  const PvfResults part = run_pvf(c, first);
  EXPECT_FALSE(part.complete());
  EXPECT_EQ(part.done_count(), 90);
  ASSERT_TRUE(fs::exists(checkpoint));
  PvfRunOptions rest;
  rest.checkpoint = checkpoint;
  const PvfResults resumed = run_pvf(c, rest);
  EXPECT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed, 90);
  const PvfResults whole = run_pvf(adaptive_lenet(0.12, 1));
  testing::expect_same_experiments(resumed, whole);
  fs::remove_all(dir);
}

TEST(PvfAdaptive, TheFixedCountIsTheSmallestCountReachingTheWidth) {
  PvfStop stop;
  stop.half_width = 0.01;
  stop.max_per_stratum = 1000000;
  const long long n = fixed_count_needed(0.5, 1.0, stop);
  const auto half = [](long long k) {
    const Interval ci = wilson_interval(k / 2, k);
    return (ci.hi - ci.lo) / 2;
  };
  EXPECT_LE(half(n), 0.01);
  EXPECT_GT(half(n - 2), 0.01);
  EXPECT_NEAR(static_cast<double>(n), 9600.0, 50.0);  // z^2 / (4 w^2) - z^2
  stop.max_per_stratum = 5000;
  EXPECT_EQ(fixed_count_needed(0.5, 1.0, stop), 5000);  // out of reach: the cap
}

TEST(PvfAdaptive, TheReportComparesWithAFixedCount) {
  const PvfCampaign c = adaptive_lenet(0.12, 2);
  const PvfResults r = run_pvf(c);
  const PvfAdaptiveSummary s = summarize_adaptive(c, r);
  ASSERT_EQ(s.rows.size(), 4u);
  long long spent = 0, largest = 0;
  for (const PvfStratumRow& row : s.rows) {
    spent += row.tally.spent;
    largest = std::max(largest, row.fixed_needed);
    EXPECT_LE(row.fixed_needed, row.tally.spent) << row.name;  // the rounds overshoot, never undershoot
  }
  EXPECT_EQ(s.spent, spent);
  EXPECT_EQ(s.fixed_spent, 4 * largest);
  EXPECT_EQ(s.rows[0].name, "conv1 bit 22");
}

}  // namespace
}  // namespace accsim
