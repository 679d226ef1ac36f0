// Mitigation variants of campaigns on graph models (campaign.mitigations with
// workload.model), with the chain networks' semantics: protected bits never act,
// checks detect (ABFT) and correct (duplication, and re-execution of transients),
// clipping runs the clipped model against its own fault-free run, pruning zeroes the
// weights the faulty PE holds; the same results for any thread count, with or without
// the incremental rerun and after resuming; what is refused or noted at load time.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "arch/input_error.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/campaign/campaign.h"
#include "workloads/campaign/campaign_checkpoint.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/io/results_file.h"
#include "workloads/mitigations/graph_pruning.h"
#include "workloads/mitigations/mitigation_report.h"
#include "workloads/models/batch_effect.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/relu_clip.h"
#include "workloads/models/tiny_classifier.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

using nlohmann::json;
using testing::TempDir;

// The tiny classifier (two Relu nodes, four array nodes) on the small array: 5 synthetic
// inputs labelled with its own predictions, in batches of 2, 2 and 1.
json tiny_config(const TempDir& dir, long long experiments, int threads, const json& variants) {
  testing::save_tiny_classifier(dir.file("tiny.onnx"));
  json j = testing::ideal_config("small");
  j.erase("faults");
  j["workload"] = {{"model", "tiny.onnx"}, {"batch", 2}};
  j["seed"] = 9;
  j["campaign"] = {{"experiments", experiments}, {"test_limit", 5}, {"batch", 2}, {"threads", threads},
                   {"bits", {18, 31}}};
  if (!variants.is_null()) j["campaign"]["mitigations"] = variants;
  return j;
}

Campaign load(const TempDir& dir, const json& j, std::ostream& notes) {
  return load_campaign(parse_run_config_json(j, dir.file("config.json")), 9, notes).campaign;
}

Campaign load(const TempDir& dir, const json& j) {
  std::ostringstream notes;
  return load(dir, j, notes);
}

Campaign with_faults(Campaign c, std::vector<FaultSite> sites, std::vector<FaultKind> kinds, int bit_lo, int bit_hi) {
  c.config.sites = std::move(sites);
  c.config.kinds = std::move(kinds);
  c.config.bit_lo = bit_lo;
  c.config.bit_hi = bit_hi;
  return c;
}

json clip(const std::string& mode, double threshold) { return {{"mode", mode}, {"threshold", threshold}}; }

json every_variant() {
  return json::array({{{"name", "clip"}, {"activation_clip", clip("saturate", 0.3)}},
                      {{"name", "ftclip"}, {"activation_clip", clip("zero", 0.5)}},
                      {{"name", "sign_exp"}, {"protect_bits", {31, 30, 29, 28, 27, 26, 25, 24, 23}}},
                      {{"name", "abft"}, {"check", "abft"}},
                      {{"name", "dup"}, {"check", "duplicate"}},
                      {{"name", "prune"}, {"prune_faulty_weights", true}},
                      {{"name", "clip_prune"}, {"activation_clip", clip("zero", 0.5)}, {"prune_faulty_weights", true}},
                      {{"name", "dup_prune"}, {"check", "duplicate"}, {"prune_faulty_weights", true}}});
}

void expect_same_variant_results(const CampaignResults& a, const CampaignResults& b) {
  ASSERT_EQ(a.experiments.size(), b.experiments.size());
  EXPECT_EQ(a.key, b.key);
  ASSERT_EQ(a.variants.size(), b.variants.size());
  for (std::size_t v = 0; v < a.variants.size(); ++v) {
    EXPECT_EQ(a.variants[v].cycles, b.variants[v].cycles) << v;
    EXPECT_EQ(a.variants[v].golden_correct, b.variants[v].golden_correct) << v;
    EXPECT_EQ(a.variants[v].check_detections, b.variants[v].check_detections) << v;
  }
  for (std::size_t i = 0; i < a.experiments.size(); ++i) {
    const ExperimentResult &x = a.experiments[i], &y = b.experiments[i];
    EXPECT_EQ(x.outcome, y.outcome) << i;
    EXPECT_EQ(x.correct_to_wrong, y.correct_to_wrong) << i;
    EXPECT_EQ(x.trace, y.trace) << i;
    ASSERT_EQ(x.variants.size(), y.variants.size()) << i;
    for (std::size_t v = 0; v < x.variants.size(); ++v) {
      const std::string what = "experiment " + std::to_string(i) + " " + describe(x.fault) + " variant " + a.variants[v].name;
      EXPECT_EQ(x.variants[v].outcome, y.variants[v].outcome) << what;
      EXPECT_EQ(x.variants[v].detected, y.variants[v].detected) << what;
      EXPECT_EQ(x.variants[v].corrected, y.variants[v].corrected) << what;
      EXPECT_EQ(x.variants[v].correct_to_wrong, y.variants[v].correct_to_wrong) << what;
      EXPECT_EQ(x.variants[v].nonfinite_images, y.variants[v].nonfinite_images) << what;
      EXPECT_EQ(x.variants[v].cycles, y.variants[v].cycles) << what;
    }
  }
}

TEST(GraphCampaignMitigations, ProtectedBitsNeverActAndEveryOtherBitGivesTheUnprotectedResult) {
  TempDir dir;
  const json variants = json::array({{{"name", "sign_exp"}, {"protect_bits", {31, 30, 29, 28, 27, 26, 25, 24, 23}}}});
  const CampaignResults r = run_campaign(load(dir, tiny_config(dir, 80, 2, variants)));
  ASSERT_TRUE(r.complete());
  int protected_failures = 0;
  for (const ExperimentResult& e : r.experiments) {
    const VariantResult& v = e.variants.at(0);
    if (e.fault.bit >= 23) {
      EXPECT_EQ(v.outcome, Outcome::masked) << describe(e.fault);
      EXPECT_EQ(v.correct_to_wrong + v.nonfinite_images, 0) << describe(e.fault);
      protected_failures += e.outcome != Outcome::masked;
    } else {
      EXPECT_EQ(v.outcome, e.outcome) << describe(e.fault);
      EXPECT_EQ(v.correct_to_wrong, e.correct_to_wrong) << describe(e.fault);
      EXPECT_EQ(v.nonfinite_images, e.nonfinite_images) << describe(e.fault);
    }
  }
  EXPECT_GT(protected_failures, 0);
  const auto rows = summarize_mitigations(r);
  EXPECT_DOUBLE_EQ(rows.at(0).storage_overhead, 9.0 / 32.0);
  EXPECT_DOUBLE_EQ(rows.at(0).cycle_overhead, 0.0);
}

TEST(GraphCampaignMitigations, AbftDetectsAWeightStuckAtOnBit30InSomeArrayJobAndReexecutionCannotCorrectIt) {
  TempDir dir;
  const json variants = json::array({{{"name", "abft"}, {"check", "abft"}}});
  const Campaign c = with_faults(load(dir, tiny_config(dir, 8, 2, variants)), {FaultSite::weight},
                                 {FaultKind::stuck_at_1}, 30, 30);
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  for (const ExperimentResult& e : r.experiments) {
    const VariantResult& v = e.variants.at(0);
    EXPECT_TRUE(v.detected) << describe(e.fault);
    EXPECT_FALSE(v.corrected) << describe(e.fault);  // a permanent fault fails the re-execution too
    EXPECT_EQ(v.outcome, Outcome::due) << describe(e.fault);
    EXPECT_GT(v.cycles, r.variants.at(0).cycles) << describe(e.fault);  // re-executions cost cycles
  }
  const auto rows = summarize_mitigations(r);
  EXPECT_EQ(rows.at(0).due, 8);
  EXPECT_EQ(rows.at(0).false_positives, 0);  // the fault-free checked runs pass every check
  EXPECT_EQ(r.variants.at(0).check_jobs, 3 * 4);  // every array job of every batch is checked
  EXPECT_GT(rows.at(0).cycle_overhead, 0.0);   // the checksum channel
  EXPECT_GT(rows.at(0).check_overhead, 0.0);
}

TEST(GraphCampaignMitigations, AbftAndDuplicationCorrectTransientsThatCorruptTheUnprotectedRun) {
  TempDir dir;
  const json variants = json::array({{{"name", "abft"}, {"check", "abft"}}, {{"name", "dup"}, {"check", "duplicate"}}});
  const Campaign c = with_faults(load(dir, tiny_config(dir, 40, 2, variants)), {FaultSite::psum, FaultSite::accumulator},
                                 {FaultKind::transient}, 30, 30);
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  int corrupted = 0, corrected = 0;
  for (const ExperimentResult& e : r.experiments) {
    corrupted += e.outcome != Outcome::masked;
    for (const VariantResult& v : e.variants) {
      EXPECT_EQ(v.detected, v.corrected) << describe(e.fault);  // re-executions run later: not struck
      EXPECT_EQ(v.outcome, Outcome::masked) << describe(e.fault);
      corrected += v.corrected;
    }
  }
  EXPECT_GT(corrupted, 0);
  EXPECT_GT(corrected, 0);
}

TEST(GraphCampaignMitigations, DuplicationCorrectsEveryFaultItDetectsAndLeavesNoFailure) {
  TempDir dir;
  const json variants = json::array({{{"name", "dup"}, {"check", "duplicate"}}});
  const CampaignResults r = run_campaign(load(dir, tiny_config(dir, 60, 2, variants)));
  ASSERT_TRUE(r.complete());
  int detected = 0, failures = 0;
  for (const ExperimentResult& e : r.experiments) {
    const VariantResult& v = e.variants.at(0);
    EXPECT_EQ(v.corrected, v.detected) << describe(e.fault);
    EXPECT_EQ(v.outcome, Outcome::masked) << describe(e.fault);  // 8 columns: three copies on three columns
    detected += v.detected;
    failures += e.outcome != Outcome::masked;
  }
  EXPECT_GT(detected, 0);
  EXPECT_GT(failures, 0);
  EXPECT_NEAR(summarize_mitigations(r).at(0).cycle_overhead, 1.0, 0.25);  // two copies of every job
}

TEST(GraphCampaignMitigations, ClipVariantsGiveTheUnprotectedResultsOfTheClippedModel) {
  TempDir dir;
  const json variants = json::array({{{"name", "clip"}, {"activation_clip", clip("saturate", 0.3)}},
                                     {{"name", "zero"}, {"activation_clip", clip("zero", 1e-6)}}});
  const Campaign c = load(dir, tiny_config(dir, 40, 2, variants));
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.golden_correct, 5);
  EXPECT_LT(r.variants.at(1).golden_correct, 5);  // its own fault-free predictions decide what is correct
  for (std::size_t v = 0; v < 2; ++v) {
    // The reference: the same campaign (images, labels, faults) on the clipped model, unprotected.
    Campaign clipped = c;
    clipped.config.mitigations.clear();
    for (auto& [size, graph] : clipped.graphs) {
      Graph g = *graph;
      set_relu_clips(g, c.config.mitigations[v].mitigations.clip);
      graph = std::make_shared<const Graph>(std::move(g));
    }
    CampaignRunOptions full;
    full.shortcut = false;
    const CampaignResults ref = run_campaign(clipped, full);
    EXPECT_EQ(ref.batch_cycles, r.batch_cycles);  // so the draws are the same
    EXPECT_EQ(ref.golden_correct, r.variants[v].golden_correct);
    int differs = 0;
    for (std::size_t i = 0; i < r.experiments.size(); ++i) {
      const ExperimentResult &e = r.experiments[i], &f = ref.experiments[i];
      EXPECT_EQ(describe(e.fault), describe(f.fault));
      EXPECT_EQ(e.variants[v].outcome, f.outcome) << describe(e.fault);
      EXPECT_EQ(e.variants[v].correct_to_wrong, f.correct_to_wrong) << describe(e.fault);
      EXPECT_EQ(e.variants[v].nonfinite_images, f.nonfinite_images) << describe(e.fault);
      EXPECT_FALSE(e.variants[v].detected);
      differs += e.variants[v].correct_to_wrong != e.correct_to_wrong || e.variants[v].nonfinite_images != e.nonfinite_images;
    }
    EXPECT_GT(differs, 0) << v;  // the clip made a difference somewhere
  }
}

TEST(GraphCampaignMitigations, PruningMasksAWeightStuckAtZeroAndLeavesFaultsWithoutAFootprintAsUnprotected) {
  TempDir dir;
  const json variants = json::array({{{"name", "prune"}, {"prune_faulty_weights", true}}});
  Campaign c = load(dir, tiny_config(dir, 60, 2, variants));  // every site and kind
  c.config.bit_lo = 24;
  const CampaignResults r = run_campaign(c);
  ASSERT_TRUE(r.complete());
  int recovered = 0, stuck_at_0 = 0;
  for (const ExperimentResult& e : r.experiments) {
    const VariantResult& v = e.variants.at(0);
    const bool prunable = e.fault.permanent() && (e.fault.site == FaultSite::weight ||
                                                  e.fault.site == FaultSite::input || e.fault.site == FaultSite::product);
    if (!prunable) {  // pruning does nothing: the unprotected result
      EXPECT_EQ(v.outcome, e.outcome) << describe(e.fault);
      EXPECT_EQ(v.correct_to_wrong, e.correct_to_wrong) << describe(e.fault);
      EXPECT_EQ(v.nonfinite_images, e.nonfinite_images) << describe(e.fault);
    }
    // A weight register stuck at 0 only ever holds pruned (zero) weights: the variant
    // sees exactly what pruning alone does, against the unpruned fault-free model.
    if (e.fault.site == FaultSite::weight && e.fault.kind == FaultKind::stuck_at_0) {
      const PruningMasks masks = GraphPruning(c.array, *c.graphs.at(2)).masks({e.fault});
      const PeFaults healthy;
      FastEngine engine(c.array, healthy);
      long long changed = 0;
      for (int first = 0; first < 5; first += 2) {
        const int count = std::min(2, 5 - first);
        Graph pruned = *c.graphs.at(count);
        ASSERT_GT(apply_pruning(pruned, masks), 0);
        const Tensor logits = run_graph(pruned, slice_batch(c.images, first, count), engine, false).outputs.at(0);
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

TEST(GraphCampaignMitigations, ThreadCountsAndTheFullRerunGiveIdenticalVariantResults) {
  TempDir dir;
  const Campaign one = load(dir, tiny_config(dir, 30, 1, every_variant()));
  const Campaign two = load(dir, tiny_config(dir, 30, 2, every_variant()));
  EXPECT_EQ(one.graphs.size(), 2u);  // variants run at both batch sizes
  CampaignRunOptions full;
  full.shortcut = false;
  const CampaignResults a = run_campaign(one), b = run_campaign(two), c = run_campaign(two, full);
  ASSERT_TRUE(a.complete() && b.complete() && c.complete());
  expect_same_variant_results(a, b);
  expect_same_variant_results(a, c);
  ASSERT_EQ(a.variants.size(), 8u);
  int detected = 0, changed = 0;  // the comparison covers variants that did something
  for (const auto& e : a.experiments)
    for (const auto& v : e.variants) {
      detected += v.detected;
      changed += v.outcome != e.outcome || v.correct_to_wrong != e.correct_to_wrong;
    }
  EXPECT_GT(detected, 0);
  EXPECT_GT(changed, 0);
}

// Every lowering in one classifier: x [N,4,5,5] -> conv_g (group 2) -> relu -> conv_d
// (dilation 2) -> pool -> flatten -> gemm0 (B [10,12], transB 0) -> relu -> matmul
// (B [12,16]) -> reshape [N,4,4] -> attention (two activations) -> flatten -> fc -> logits
void save_lowering_classifier(const std::string& path) {
  Rng rng(23);
  const auto values = [&](std::size_t n) {
    std::vector<float> v(n);
    for (auto& x : v) x = rng.uniform(-0.5f, 0.5f);
    return v;
  };
  testing::OnnxBuilder b;
  b.input("x", {0, 4, 5, 5}).output("logits");
  b.floats("wg", {6, 2, 3, 3}, values(108)).floats("wd", {10, 6, 3, 3}, values(540)).floats("b0", {10, 12}, values(120));
  b.floats("m", {12, 16}, values(192)).floats("fc.weight", {10, 16}, values(160)).ints("shape", {-1, 4, 4});
  auto& g = b.node("Conv", {"x", "wg"}, {"c1"}, "conv_g");
  testing::OnnxBuilder::int_attribute(g, "group", 2);
  testing::OnnxBuilder::ints_attribute(g, "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto& d = b.node("Conv", {"r1", "wd"}, {"c2"}, "conv_d");
  testing::OnnxBuilder::ints_attribute(d, "dilations", {2, 2});
  testing::OnnxBuilder::ints_attribute(d, "pads", {2, 2, 2, 2});
  b.node("GlobalAveragePool", {"c2"}, {"p"}, "pool");
  b.node("Flatten", {"p"}, {"f"}, "flatten");
  b.node("Gemm", {"f", "b0"}, {"g0"}, "gemm0");
  b.node("Relu", {"g0"}, {"r2"}, "relu2");
  b.node("MatMul", {"r2", "m"}, {"mm"}, "matmul");
  b.node("Reshape", {"mm", "shape"}, {"rs"}, "reshape");
  b.node("MatMul", {"rs", "rs"}, {"a"}, "attention");
  b.node("Flatten", {"a"}, {"fa"}, "flatten2");
  testing::OnnxBuilder::int_attribute(b.node("Gemm", {"fa", "fc.weight"}, {"logits"}, "fc"), "transB", 1);
  b.save(path);
}

TEST(GraphCampaignMitigations, OnEveryLoweringTheIncrementalRerunEqualsTheFullRerunUnderEveryVariant) {
  TempDir dir;
  save_lowering_classifier(dir.file("lowering.onnx"));
  json j = tiny_config(dir, 40, 2, every_variant());
  j["workload"]["model"] = "lowering.onnx";
  std::ostringstream notes;
  const Campaign c = load(dir, j, notes);
  EXPECT_NE(notes.str().find("the array nodes attention hold an activation"), std::string::npos) << notes.str();
  CampaignRunOptions full;
  full.shortcut = false;
  const CampaignResults a = run_campaign(c), b = run_campaign(c, full);
  ASSERT_TRUE(a.complete() && b.complete());
  expect_same_variant_results(a, b);
  int pruned_differs = 0;  // the prune variant acted on some fault
  for (const auto& e : a.experiments)
    pruned_differs += e.variants.at(5).correct_to_wrong != e.correct_to_wrong ||
                      e.variants.at(5).nonfinite_images != e.nonfinite_images;
  EXPECT_GT(pruned_differs, 0);
}

TEST(GraphCampaignMitigations, AnInterruptedRunResumesToTheVariantResultsOfAnUninterruptedOne) {
  TempDir dir;
  const Campaign c = load(dir, tiny_config(dir, 12, 2, every_variant()));
  CampaignRunOptions first;
  first.checkpoint = dir.file("c.h5.checkpoint");
  first.max_experiments = 5;  // as if killed
  EXPECT_FALSE(run_campaign(c, first).complete());
  std::vector<hsize_t> dims;
  read_int64_array(first.checkpoint, "/variants/outcome", dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{5, 8}));
  CampaignRunOptions rest;
  rest.checkpoint = first.checkpoint;
  const CampaignResults resumed = run_campaign(c, rest);
  ASSERT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed, 5);
  expect_same_variant_results(resumed, run_campaign(load(dir, tiny_config(dir, 12, 1, every_variant()))));
}

TEST(GraphCampaignMitigations, TheTopLevelClipClipsEveryRunAndCountsInTheKey) {
  TempDir dir;
  json j = tiny_config(dir, 4, 1, nullptr);
  const std::string plain = campaign_key(load(dir, j));
  j["mitigations"] = {{"activation_clip", clip("saturate", 0.3)}};
  const Campaign c = load(dir, j);
  ActivationClip expected;
  expected.mode = ClipMode::saturate;
  expected.threshold = 0.3f;
  for (const auto& [size, graph] : c.graphs) EXPECT_TRUE(has_relu_clip(*graph, expected)) << size;
  EXPECT_NE(campaign_key(c), plain);
}

// x [N,1,4,4] -> Reshape [N,4,4] -> attention: MatMul of two activations -> Flatten -> fc -> logits
void save_attention_classifier(const std::string& path) {
  testing::OnnxBuilder b;
  Rng rng(4);
  std::vector<float> w(160);
  for (float& v : w) v = rng.uniform(-0.5f, 0.5f);
  b.input("x", {0, 1, 4, 4}).output("logits").floats("fc.weight", {10, 16}, w).ints("shape", {-1, 4, 4});
  b.node("Reshape", {"x", "shape"}, {"r"}, "reshape");
  b.node("MatMul", {"r", "r"}, {"a"}, "attention");
  b.node("Flatten", {"a"}, {"f"}, "flatten");
  testing::OnnxBuilder::int_attribute(b.node("Gemm", {"f", "fc.weight"}, {"logits"}, "fc"), "transB", 1);
  b.save(path);
}

TEST(GraphCampaignMitigations, ClippingAModelWithoutReluIsRefusedAndPruningNamesTheNodesItCannotPrune) {
  TempDir dir;
  save_attention_classifier(dir.file("attention.onnx"));
  json prune = tiny_config(dir, 4, 1, json::array({{{"name", "prune"}, {"prune_faulty_weights", true}}}));
  prune["workload"]["model"] = "attention.onnx";
  std::ostringstream notes;
  const Campaign c = load(dir, prune, notes);
  EXPECT_NE(notes.str().find("campaign.mitigations[0] (prune): the array nodes attention hold an activation"),
            std::string::npos)
      << notes.str();
  const CampaignResults r = run_campaign(c);  // runs: the fc weights are pruned, the attention job is not
  ASSERT_TRUE(r.complete());

  json variant = prune;
  variant["campaign"]["mitigations"] = json::array({{{"name", "clip"}, {"activation_clip", clip("saturate", 6)}}});
  json top = prune;
  top["campaign"].erase("mitigations");
  top["mitigations"] = {{"activation_clip", clip("zero", 6)}};
  for (const auto& [config, key] : {std::pair{variant, "campaign.mitigations[0].activation_clip"},
                                    std::pair{top, "mitigations.activation_clip"}}) {
    try {
      load(dir, config);
      ADD_FAILURE() << key << " was accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(": " + std::string(key) + ": activation clipping acts at the Relu nodes"),
                std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace accsim
