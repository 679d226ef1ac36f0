// Mitigation variants of a campaign (campaign.mitigations): parsing, what each variant
// does to the same fault as the unprotected run, determinism and resuming.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>

#include "arch/input_error.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/campaign/campaign_config.h"
#include "workloads/campaign/campaign_evaluator.h"
#include "workloads/run/engines.h"
#include "workloads/mitigations/fault_aware_pruning.h"
#include "workloads/models/graph_fault_evaluator.h"
#include "workloads/models/inference.h"
#include "workloads/models/network_graph.h"
#include "workloads/mitigations/mitigation_report.h"
#include "workloads/io/results_file.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- parsing ----

CampaignConfig parse(const json& mitigations) {
  const json top = {{"campaign", {{"experiments", 3}, {"mitigations", mitigations}}}};
  ConfigReader r(top, "cfg.json", "");
  return parse_campaign_config(r.get_object("campaign"), testing::preset("small"), "cfg.json");
}

std::string error_of(const json& mitigations) {
  try {
    parse(mitigations);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(CampaignMitigationsConfig, AbsentMeansNoVariantsAndEachVariantKeepsItsNameAndKeys) {
  const json top = {{"campaign", {{"experiments", 3}}}};
  ConfigReader r(top, "cfg.json", "");
  EXPECT_TRUE(parse_campaign_config(r.get_object("campaign"), testing::preset("small"), "cfg.json").mitigations.empty());

  const CampaignConfig c = parse(json::array({{{"name", "clip6"}, {"activation_clip", {{"mode", "saturate"}}}},
                                              {{"name", "sign"}, {"protect_bits", {31, 30}}},
                                              {{"name", "abft"}, {"check", "abft"}},
                                              {{"name", "dup"}, {"check", "duplicate"}},
                                              {{"name", "prune"}, {"prune_faulty_weights", true}}}));
  ASSERT_EQ(c.mitigations.size(), 5u);
  EXPECT_EQ(c.mitigations[0].name, "clip6");
  EXPECT_EQ(c.mitigations[0].mitigations.clip.mode, ClipMode::saturate);
  EXPECT_FLOAT_EQ(c.mitigations[0].mitigations.clip.threshold, 6.0f);  // parse_mitigations' default
  EXPECT_EQ(c.mitigations[0].mitigations.check, MitigationCheck::none);
  EXPECT_EQ(c.mitigations[1].mitigations.protect_bits, (std::vector<int>{31, 30}));
  EXPECT_EQ(c.mitigations[2].mitigations.check, MitigationCheck::abft);
  EXPECT_EQ(c.mitigations[3].mitigations.check, MitigationCheck::duplicate);
  EXPECT_TRUE(c.mitigations[4].mitigations.prune_faulty_weights);
  EXPECT_EQ(c.mitigations[4].mitigations.describe(), "prune faulty weights");
}

TEST(CampaignMitigationsConfig, BadVariantsNameTheFileAndTheJsonPath) {
  struct Case {
    json mitigations;
    std::string expected;
  };
  const std::vector<Case> cases{
      {json::array(), "cfg.json: campaign.mitigations: expected a non-empty array"},
      {json::object(), "cfg.json: campaign.mitigations: expected a non-empty array"},
      {json::array({"abft"}), "cfg.json: campaign.mitigations[0]: expected a JSON object"},
      {json::array({{{"check", "abft"}}}), "cfg.json: campaign.mitigations[0].name: required key is missing"},
      {json::array({{{"name", ""}, {"check", "abft"}}}), "cfg.json: campaign.mitigations[0].name: expected a non-empty string"},
      {json::array({{{"name", 3}, {"check", "abft"}}}), "cfg.json: campaign.mitigations[0].name: expected a non-empty string"},
      {json::array({{{"name", "a b"}, {"check", "abft"}}}), "cfg.json: campaign.mitigations[0].name: \"a b\" holds a blank"},
      {json::array({{{"name", "a"}, {"check", "abft"}}, {{"name", "a"}, {"check", "duplicate"}}}),
       "cfg.json: campaign.mitigations[1].name: \"a\" is already the name of mitigations[0]"},
      {json::array({{{"name", "a"}, {"check", "abft"}},
                    {{"name", "b"}, {"check", "abft"}},
                    {{"name", "c"}, {"protect_bits", {"x"}}}}),
       "cfg.json: campaign.mitigations[2].protect_bits[0]: expected an integer in [0, 31], got \"x\""},
      {json::array({{{"name", "a"}, {"protect_bits", {32}}}}),
       "cfg.json: campaign.mitigations[0].protect_bits[0]: 32 is outside the allowed range [0, 31]"},
      {json::array({{{"name", "a"}, {"check", "tmr"}}}), "cfg.json: campaign.mitigations[0].check: \"tmr\" is not one of"},
      {json::array({{{"name", "a"}, {"chek", "abft"}}}), "cfg.json: campaign.mitigations[0].chek: unknown key"},
      {json::array({{{"name", "a"}, {"activation_clip", {{"mode", "saturate"}, {"threshold", -1}}}}}),
       "cfg.json: campaign.mitigations[0].activation_clip.threshold: -1 is outside the allowed range"},
      // A variant that changes nothing is refused (it would only repeat the unprotected run).
      {json::array({{{"name", "nothing"}}}), "cfg.json: campaign.mitigations[0]: variant \"nothing\" mitigates nothing"},
      {json::array({{{"name", "a"}, {"check", "abft"}},
                    {{"name", "off"}, {"check", "none"}, {"activation_clip", {{"mode", "none"}}}}}),
       "cfg.json: campaign.mitigations[1]: variant \"off\" mitigates nothing"},
  };
  for (const Case& c : cases) {
    const std::string e = error_of(c.mitigations);
    EXPECT_EQ(e.rfind(c.expected, 0), 0u) << c.mitigations.dump() << "\n  got: " << e << "\n  expected: " << c.expected;
  }
}

// ---- campaigns ----

// The campaigns' model: LeNet-5 with seeded parameters, as a graph (network_graph.h).
const NetworkParameters& lenet_params() {
  static const NetworkParameters params = init_parameters(lenet5(), 9);
  return params;
}

std::map<int, std::shared_ptr<const Graph>> lenet_graphs(const Network& net, std::initializer_list<int> batches) {
  std::map<int, std::shared_ptr<const Graph>> graphs;
  for (int b : batches) graphs[b] = std::make_shared<const Graph>(network_graph(net, lenet_params(), b));
  return graphs;
}

Campaign small_campaign(long long experiments, int threads) {
  Campaign c;
  c.array = testing::preset("small");
  c.seed = 9;
  c.graphs = lenet_graphs(lenet5(), {3, 2});
  Rng rng(5);
  c.images = testing::random_tensor({5, 1, 28, 28}, rng, 0.0f, 1.0f);
  // Labelled with the fault-free predictions: every image counts as correct.
  const Graph all = network_graph(lenet5(), lenet_params(), 5);
  c.labels = GraphFaultEvaluator(c.array).golden(all, c.images, std::vector<int>(5, 0)).predictions;
  c.config.experiments = experiments;
  c.config.test_limit = 5;
  c.config.batch = 3;  // batches of 3 and 2
  c.config.sites = {FaultSite::weight, FaultSite::input, FaultSite::product, FaultSite::psum, FaultSite::accumulator};
  c.config.kinds = {FaultKind::stuck_at_0, FaultKind::stuck_at_1, FaultKind::transient};
  c.config.bit_lo = 20;
  c.config.bit_hi = 31;
  c.config.threads = threads;
  return c;
}

MitigationVariant variant(const std::string& name, MitigationConfig config) {
  return MitigationVariant{name, std::move(config)};
}

MitigationConfig with_check(MitigationCheck check) {
  MitigationConfig m;
  m.check = check;
  return m;
}

MitigationConfig with_protect(std::vector<int> bits) {
  MitigationConfig m;
  m.protect_bits = std::move(bits);
  return m;
}

MitigationConfig with_clip(ClipMode mode) {
  MitigationConfig m;
  m.clip.mode = mode;
  return m;
}

MitigationConfig with_pruning() {
  MitigationConfig m;
  m.prune_faulty_weights = true;
  return m;
}

std::vector<MitigationVariant> every_variant() {
  return {variant("clip", with_clip(ClipMode::saturate)), variant("ftclip", with_clip(ClipMode::zero)),
          variant("sign_exp", with_protect({31, 30, 29, 28, 27, 26, 25, 24, 23})),
          variant("abft", with_check(MitigationCheck::abft)), variant("dup", with_check(MitigationCheck::duplicate)),
          variant("prune", with_pruning())};
}

void expect_same_variant_results(const CampaignResults& a, const CampaignResults& b) {
  ASSERT_EQ(a.experiments.size(), b.experiments.size());
  EXPECT_EQ(a.key, b.key);
  for (std::size_t i = 0; i < a.experiments.size(); ++i) {
    const ExperimentResult &x = a.experiments[i], &y = b.experiments[i];
    EXPECT_EQ(x.outcome, y.outcome) << i;
    EXPECT_EQ(x.correct_to_wrong, y.correct_to_wrong) << i;
    EXPECT_EQ(x.trace, y.trace) << i;
    ASSERT_EQ(x.variants.size(), y.variants.size()) << i;
    for (std::size_t v = 0; v < x.variants.size(); ++v) {
      const std::string what = "experiment " + std::to_string(i) + " " + describe(x.fault) + " variant " +
                               std::to_string(v);
      EXPECT_EQ(x.variants[v].outcome, y.variants[v].outcome) << what;
      EXPECT_EQ(x.variants[v].detected, y.variants[v].detected) << what;
      EXPECT_EQ(x.variants[v].corrected, y.variants[v].corrected) << what;
      EXPECT_EQ(x.variants[v].correct_to_wrong, y.variants[v].correct_to_wrong) << what;
      EXPECT_EQ(x.variants[v].nonfinite_images, y.variants[v].nonfinite_images) << what;
      EXPECT_EQ(x.variants[v].cycles, y.variants[v].cycles) << what;
    }
  }
}

TEST(CampaignMitigations, ProtectingTheFaultsBitMasksItAndOtherBitsDoNot) {
  Campaign c = small_campaign(6, 2);
  c.config.sites = {FaultSite::weight};
  c.config.kinds = {FaultKind::stuck_at_1};
  c.config.bit_lo = c.config.bit_hi = 30;
  c.config.mitigations = {variant("bit30", with_protect({30})), variant("bit29", with_protect({29, 31}))};
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  for (const auto& e : r.experiments) {
    EXPECT_EQ(e.outcome, Outcome::crash) << describe(e.fault);
    ASSERT_EQ(e.variants.size(), 2u);
    EXPECT_EQ(e.variants[0].outcome, Outcome::masked) << describe(e.fault);
    EXPECT_EQ(e.variants[0].correct_to_wrong + e.variants[0].nonfinite_images, 0);
    EXPECT_EQ(e.variants[1].outcome, Outcome::crash) << describe(e.fault);  // not its bit
  }
  const auto rows = summarize_mitigations(r);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_DOUBLE_EQ(rows[0].recovery, 1.0);
  EXPECT_DOUBLE_EQ(rows[1].recovery, 0.0);
  EXPECT_DOUBLE_EQ(rows[0].storage_overhead, 1.0 / 32.0);
  EXPECT_DOUBLE_EQ(rows[1].storage_overhead, 2.0 / 32.0);
  EXPECT_DOUBLE_EQ(rows[0].cycle_overhead, 0.0);
}

TEST(CampaignMitigations, AbftDetectsAWeightStuckAtOnBit30ThatReexecutionCannotCorrect) {
  Campaign c = small_campaign(6, 2);
  c.config.sites = {FaultSite::weight};
  c.config.kinds = {FaultKind::stuck_at_1};
  c.config.bit_lo = c.config.bit_hi = 30;
  c.config.mitigations = {variant("abft", with_check(MitigationCheck::abft))};
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  for (const auto& e : r.experiments) {
    EXPECT_TRUE(e.outcome == Outcome::sdc || e.outcome == Outcome::crash) << describe(e.fault);
    const VariantResult& v = e.variants.at(0);
    EXPECT_TRUE(v.detected) << describe(e.fault);
    EXPECT_FALSE(v.corrected) << describe(e.fault);  // a permanent fault fails the re-execution too
    EXPECT_EQ(v.outcome, Outcome::due) << describe(e.fault);
    EXPECT_GT(v.cycles, r.variants.at(0).cycles) << describe(e.fault);  // re-executions cost cycles
  }
  const auto rows = summarize_mitigations(r);
  EXPECT_EQ(rows.at(0).due, 6);
  EXPECT_EQ(rows.at(0).sdc + rows.at(0).crash, 0);
  EXPECT_DOUBLE_EQ(rows.at(0).recovery, 1.0);
  EXPECT_EQ(rows.at(0).false_positives, 0);  // the fault-free checked runs pass every check
  EXPECT_GT(rows.at(0).cycle_overhead, 0.0);  // the checksum channel
  EXPECT_GT(rows.at(0).check_overhead, 0.0);
}

TEST(CampaignMitigations, AbftAndDuplicationCorrectTransientsThatCorruptTheUnprotectedRun) {
  Campaign c = small_campaign(24, 2);
  c.config.sites = {FaultSite::psum, FaultSite::accumulator};
  c.config.kinds = {FaultKind::transient};
  c.config.bit_lo = c.config.bit_hi = 30;
  c.config.mitigations = {variant("abft", with_check(MitigationCheck::abft)),
                          variant("dup", with_check(MitigationCheck::duplicate))};
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  int corrupted = 0, corrected = 0;
  for (const auto& e : r.experiments) {
    corrupted += e.outcome != Outcome::masked;
    for (const VariantResult& v : e.variants) {
      // The re-execution runs later on the timeline: the transient does not strike it.
      EXPECT_EQ(v.detected, v.corrected) << describe(e.fault);
      EXPECT_EQ(v.outcome, Outcome::masked) << describe(e.fault);
      corrected += v.corrected;
    }
  }
  EXPECT_GT(corrupted, 0);  // the unprotected run suffered from some of these faults
  EXPECT_GT(corrected, 0);
}

TEST(CampaignMitigations, ClipRunsTheClippedNetworkAgainstItsOwnFaultFreeRun) {
  Campaign c = small_campaign(16, 2);
  MitigationConfig clip = with_clip(ClipMode::saturate);
  clip.clip.threshold = 0.05f;  // low enough to change what the network computes
  MitigationConfig zero = with_clip(ClipMode::zero);
  zero.clip.threshold = 1e-6f;  // every activation zeroed: the logits are the last bias
  c.config.mitigations = {variant("clip", clip), variant("zero", zero)};
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.golden_correct, 5);
  EXPECT_LT(r.variants[1].golden_correct, 5);  // its own fault-free predictions decide what is correct

  // The reference: the network built with the clip, every node recomputed, against the
  // clipped network's own fault-free batches.
  Network clipped = lenet5();
  clipped.clip = clip.clip;
  const auto graphs = lenet_graphs(clipped, {3, 2});
  const GraphFaultEvaluator reference(c.array);
  std::vector<GraphGoldenBatch> golden;
  for (int first = 0; first < 5; first += c.config.batch) {
    const int count = std::min(c.config.batch, 5 - first);
    golden.push_back(reference.golden(*graphs.at(count), slice_batch(c.images, first, count),
                                      std::vector<int>(c.labels.begin() + first, c.labels.begin() + first + count)));
  }
  long long golden_correct = 0;
  for (const auto& g : golden)
    for (char ok : g.correct) golden_correct += ok;
  EXPECT_EQ(r.variants[0].golden_correct, golden_correct);
  int differs = 0;
  for (const auto& e : r.experiments) {
    long long c2w = 0, nonfinite = 0;
    for (const auto& g : golden) {
      const BatchEffect be = reference.evaluate(g, e.fault, PeFaults(c.array, {e.fault}), false);
      c2w += be.correct_to_wrong;
      nonfinite += be.nonfinite_images;
    }
    EXPECT_EQ(e.variants[0].correct_to_wrong, c2w) << describe(e.fault);
    EXPECT_EQ(e.variants[0].nonfinite_images, nonfinite) << describe(e.fault);
    EXPECT_EQ(e.variants[0].outcome, classify_outcome(c2w, nonfinite)) << describe(e.fault);
    EXPECT_FALSE(e.variants[0].detected);
    differs += e.variants[0].correct_to_wrong != e.correct_to_wrong || e.variants[0].nonfinite_images != e.nonfinite_images;
  }
  EXPECT_GT(differs, 0);  // the clip made a difference somewhere
}

TEST(CampaignMitigations, PruningMasksWeightStuckAtZeroAndLeavesOtherFaultsAsUnprotected) {
  Campaign c = small_campaign(40, 2);
  c.config.bit_lo = 24;
  c.config.mitigations = {variant("prune", with_pruning())};
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  int recovered = 0, stuck_at_0 = 0;
  for (const auto& e : r.experiments) {
    const VariantResult& v = e.variants.at(0);
    const bool prunable = e.fault.permanent() && (e.fault.site == FaultSite::weight ||
                                                  e.fault.site == FaultSite::input ||
                                                  e.fault.site == FaultSite::product);
    if (!prunable) {  // pruning does nothing: the unprotected result
      EXPECT_EQ(v.outcome, e.outcome) << describe(e.fault);
      EXPECT_EQ(v.correct_to_wrong, e.correct_to_wrong) << describe(e.fault);
      EXPECT_EQ(v.nonfinite_images, e.nonfinite_images) << describe(e.fault);
    }
    // A weight register stuck at 0 only ever meets pruned (zero) weights: the variant
    // sees exactly what pruning alone costs against the unpruned fault-free model. The
    // reference: the network's own pruning (fault_aware_pruning.h, as `accsim train`
    // prunes) and its forward pass (inference.h).
    if (e.fault.site == FaultSite::weight && e.fault.kind == FaultKind::stuck_at_0) {
      NetworkParameters pruned = lenet_params();
      ASSERT_GT(apply_pruning(pruned, pruning_masks(lenet5(), c.array, {e.fault})), 0);
      const PeFaults healthy;
      FastEngine engine(c.array, healthy);
      long long changed = 0;
      for (int first = 0; first < 5; first += c.config.batch) {
        const int count = std::min(c.config.batch, 5 - first);
        Tensor part({count, 1, 28, 28});
        std::copy(c.images.data() + first * 784, c.images.data() + (first + count) * 784, part.data());
        const Tensor logits = run_network(lenet5(), pruned, part, engine).logits;
        for (int i = 0; i < count; ++i) changed += argmax_row(logits.data() + i * 10, 10) != c.labels[first + i];
      }
      ++stuck_at_0;
      EXPECT_EQ(v.correct_to_wrong, changed) << describe(e.fault);
      EXPECT_EQ(v.nonfinite_images, 0) << describe(e.fault);
    }
    recovered += e.outcome != Outcome::masked && v.outcome == Outcome::masked;
    EXPECT_FALSE(v.detected);
  }
  EXPECT_GT(stuck_at_0, 0);
  EXPECT_GT(recovered, 0);
}

TEST(CampaignMitigations, OneThreadAndTwoThreadsGiveIdenticalVariantResults) {
  Campaign one = small_campaign(16, 1), two = small_campaign(16, 2);
  one.config.mitigations = two.config.mitigations = every_variant();
  const CampaignResults a = run_campaign(one), b = run_campaign(two);
  ASSERT_TRUE(a.complete());
  ASSERT_TRUE(b.complete());
  expect_same_variant_results(a, b);
  ASSERT_EQ(a.variants.size(), 6u);
  for (std::size_t v = 0; v < a.variants.size(); ++v) EXPECT_EQ(a.variants[v].cycles, b.variants[v].cycles);
  int detected = 0, changed = 0;  // the comparison covers variants that did something
  for (const auto& e : a.experiments)
    for (const auto& v : e.variants) {
      detected += v.detected;
      changed += v.outcome != e.outcome;
    }
  EXPECT_GT(detected, 0);
  EXPECT_GT(changed, 0);
}

TEST(CampaignMitigations, TheVariantsArePartOfTheKey) {
  Campaign c = small_campaign(4, 1);
  const std::string plain = campaign_key(c);
  c.config.mitigations = {variant("abft", with_check(MitigationCheck::abft))};
  const std::string abft = campaign_key(c);
  EXPECT_NE(plain, abft);
  c.config.mitigations[0].mitigations.check = MitigationCheck::duplicate;
  EXPECT_NE(abft, campaign_key(c));
  c.config.mitigations[0] = variant("p", with_protect({30}));
  const std::string p30 = campaign_key(c);
  c.config.mitigations[0] = variant("p", with_protect({29}));
  EXPECT_NE(p30, campaign_key(c));
  Campaign clipped = small_campaign(4, 1);
  Network zero = lenet5();
  zero.clip.mode = ClipMode::zero;  // the top-level clip of every run
  clipped.graphs = lenet_graphs(zero, {3, 2});
  EXPECT_NE(plain, campaign_key(clipped));
}

using testing::TempDir;

TEST(CampaignMitigations, AnInterruptedRunResumesToTheVariantResultsOfAnUninterruptedOne) {
  TempDir dir;
  const std::string checkpoint = dir.file("c.h5.checkpoint");
  Campaign c = small_campaign(12, 2);
  c.config.mitigations = every_variant();
  CampaignRunOptions first;
  first.checkpoint = checkpoint;
  first.max_experiments = 5;
  EXPECT_FALSE(run_campaign(c, first).complete());
  std::vector<hsize_t> dims;
  read_int64_array(checkpoint, "/variants/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{5, 6}));

  CampaignRunOptions rest;
  rest.checkpoint = checkpoint;
  const CampaignResults resumed = run_campaign(c, rest);
  ASSERT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed, 5);
  Campaign single = c;
  single.config.threads = 1;
  expect_same_variant_results(resumed, run_campaign(single));
}

TEST(CampaignMitigations, ACheckpointOfTheOldLayoutIsRefused) {
  TempDir dir;
  const std::string checkpoint = dir.file("old.checkpoint");
  Campaign c = small_campaign(4, 1);
  c.config.mitigations = {variant("abft", with_check(MitigationCheck::abft))};
  {  // what accsim wrote before variants existed (version 1, no /variants)
    ResultsFile h5(checkpoint);
    h5.set_attribute("/", "format", std::string(kCampaignCheckpointFormat));
    h5.set_attribute("/", "version", 1);
    h5.set_attribute("/", "key", campaign_key(c));
    h5.write_int64s("/index", {0});
    h5.commit();
  }
  CampaignRunOptions opts;
  opts.checkpoint = checkpoint;
  try {
    run_campaign(c, opts);
    FAIL() << "a version-1 checkpoint was resumed";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(checkpoint), std::string::npos) << m;
    EXPECT_NE(m.find("version 1"), std::string::npos) << m;
    EXPECT_NE(m.find("delete it"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace accsim
