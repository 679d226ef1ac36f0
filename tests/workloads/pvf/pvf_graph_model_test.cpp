// PVF campaigns on graph models: targets are initializers by name or glob, the PVF
// definition on cached recorded runs, reruns against full runs of the corrupted graph,
// determinism across threads and grouping, protected bits, clipping at every Relu node,
// and resuming.
#include "workloads/pvf/pvf_graph_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "arch/input_error.h"
#include "temp_dir.h"
#include "test_util.h"
#include "workloads/pvf/pvf_test_util.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/onnx_builder.h"
#include "workloads/models/relu_clip.h"
#include "workloads/pvf/pvf_campaign.h"
#include "workloads/pvf/pvf_graph_fixture.h"
#include "workloads/pvf/pvf_report.h"
#include "workloads/run/run_config.h"

namespace accsim {
namespace {

namespace fs = std::filesystem;

ParameterTarget target(const std::string& name, std::vector<std::string> tensors, std::vector<int> bits) {
  ParameterTarget t;
  t.name = name;
  t.tensors = std::move(tensors);
  t.bits = std::move(bits);
  return t;
}

// The tiny classifier on 24 synthetic images labelled with its own predictions, three
// of them relabelled wrong (not counted); SBF on high and low bits of three targets.
PvfCampaign tiny_campaign(long long experiments, int threads) {
  PvfCampaign c;
  c.array = testing::preset("small");
  c.graph = std::make_shared<const Graph>(testing::tiny_attention_graph(1));
  c.seed = 5;
  Rng rng(9);
  c.images = testing::random_tensor({24, 1, 8, 8}, rng, 0.0f, 1.0f);
  c.labels = graph_predicted_labels(*c.graph, c.array, c.images, threads);
  for (int i : {0, 1, 2}) c.labels[i] = (c.labels[i] + 1) % 10;
  c.config.experiments = experiments;
  c.config.test_limit = 24;
  c.config.batch = 1;
  c.config.threads = threads;
  ParameterFaultsConfig& f = c.config.faults;
  f.models = {ParameterFaultModel{}};  // sbf
  const std::vector<int> bits{3, 23, 29, 30, 31};
  f.targets = {target("q", {"blocks.*.attn.q.weight"}, bits), target("k", {"blocks.0.attn.k"}, bits),
               target("head", {"head.weight"}, bits)};
  f.target_paths = {"targets[0]", "targets[1]", "targets[2]"};
  return c;
}

using testing::expect_same_experiments;
using testing::failures;

TEST(PvfGraphModel, TargetsAreNonConstantInitializersByNameOrGlobAndUnmatchedPatternsListThem) {
  Graph g = testing::tiny_attention_graph(1);
  const ParameterSet set = graph_parameter_set(g);
  EXPECT_EQ(set.names(), (std::vector<std::string>{"blocks.0.attn.k.weight", "blocks.0.attn.q.bias",
                                                   "blocks.0.attn.q.weight", "blocks.0.norm1.weight",
                                                   "blocks.1.attn.q.weight", "head.bias", "head.weight"}));
  EXPECT_EQ(set[2].data, g.initializers.at("blocks.0.attn.q.weight").data());  // views of the graph's tensors
  EXPECT_EQ(graph_array_weights(g), (std::vector<std::string>{"blocks.0.attn.q.weight", "blocks.0.attn.k.weight",
                                                              "blocks.1.attn.q.weight", "head.weight"}));
  ParameterFaultsConfig f = tiny_campaign(1, 1).config.faults;
  f.targets.push_back(target("weights", {"*.weight"}, {}));
  f.target_paths.push_back("targets[3]");
  const std::vector<ResolvedTarget> r = resolve_parameter_faults(f, set);
  EXPECT_EQ(r[0].tensors, (std::vector<std::size_t>{2, 4}));  // q of both blocks
  EXPECT_EQ(r[1].tensors, (std::vector<std::size_t>{0}));
  EXPECT_EQ(r[0].elements(), 16u * 64u + 16u * 16u);
  EXPECT_EQ(r[3].tensors, (std::vector<std::size_t>{0, 2, 3, 4, 6}));
  f.targets.push_back(target("mlp", {"blocks.*.mlp.*"}, {}));
  f.target_paths.push_back("parameter_faults.targets[4]");
  f.file = "c.json";
  try {
    resolve_parameter_faults(f, set);
    FAIL() << "a pattern matching nothing resolved";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("c.json: parameter_faults.targets[4]: \"blocks.*.mlp.*\" matches no parameter tensor", 0), 0u) << m;
    EXPECT_NE(m.find("blocks.0.norm1.weight, blocks.1.attn.q.weight, head.bias, head.weight"), std::string::npos) << m;
  }
}

TEST(PvfGraphModel, PvfCountsOnlyCorrectlyClassifiedImagesAndFindsFailures) {
  const PvfCampaign c = tiny_campaign(60, 2);
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  EXPECT_EQ(r.golden_correct[0], 21);  // every image but the three relabelled ones
  EXPECT_EQ(r.tensors.size(), 7u);
  long long counted = 0;
  for (const PvfExperiment& e : r.experiments) {
    EXPECT_EQ(e.outcomes[0] == PvfOutcome::not_counted, e.image < 3) << "image " << e.image;
    counted += e.image >= 3;
    EXPECT_EQ(e.bit_flips, 1u);
    EXPECT_NE(r.tensors[e.tensor].find(".weight"), std::string::npos);
  }
  const PvfSummary s = summarize_pvf(c, r);
  EXPECT_EQ(s.overall[0].n, counted);
  EXPECT_EQ(s.overall[0].failures(), failures(r, 0));
  EXPECT_GT(failures(r, 0), 0);
  for (const PvfRow& row : s.by_bit)
    if (row.bit == 3) {
      EXPECT_EQ(row.failures(), 0);  // a flip of a low mantissa bit changes no prediction here
    }
}

TEST(PvfGraphModel, RerunsGiveTheOutcomesOfFullRunsOfTheCorruptedGraph) {
  const PvfCampaign c = tiny_campaign(25, 2);
  PvfRunOptions full;
  full.shortcut = false;
  const PvfResults fast = run_pvf(c), slow = run_pvf(c, full);
  expect_same_experiments(fast, slow);
  EXPECT_GT(failures(fast, 0), 0);
}

// int8 operands scale by the whole tensor, so an image's values can depend on the
// others in its batch: the stacked rests and batched records must see that (or not stack).
TEST(PvfGraphModel, RerunsOnAnInt8ArrayGiveTheOutcomesOfFullRuns) {
  PvfCampaign c = tiny_campaign(25, 2);
  c.array.datatype = DataType::int8;
  c.labels = graph_predicted_labels(*c.graph, c.array, c.images, 2);
  for (int i : {0, 1, 2}) c.labels[i] = (c.labels[i] + 1) % 10;
  PvfRunOptions full;
  full.shortcut = false;
  const PvfResults fast = run_pvf(c), slow = run_pvf(c, full);
  expect_same_experiments(fast, slow);
  EXPECT_GT(failures(fast, 0), 0);
}

MitigationVariant clip_variant(const std::string& name, ClipMode mode, float threshold) {
  MitigationVariant v;
  v.name = name;
  v.mitigations.clip.mode = mode;
  v.mitigations.clip.threshold = threshold;
  return v;
}

// The tiny campaign with a clipping and a clipping + protection variant.
PvfCampaign clipped_campaign(long long experiments, int threads) {
  PvfCampaign c = tiny_campaign(experiments, threads);
  MitigationVariant both = clip_variant("zero_protect", ClipMode::zero, 0.5f);
  both.mitigations.protect_bits = {30};
  c.config.mitigations = {clip_variant("clip", ClipMode::saturate, 0.5f), both};
  return c;
}

TEST(PvfGraphModel, ThreadsAndGroupingDoNotChangeAnyResultOfAnyVariant) {
  PvfRunOptions singles;
  singles.group = 1;
  const PvfResults a = run_pvf(clipped_campaign(40, 1), singles), b = run_pvf(clipped_campaign(40, 2));
  expect_same_experiments(a, b);
  EXPECT_GT(failures(a, 0), 0);
  EXPECT_GT(failures(a, 1), 0);  // the clipped model fails too: the comparison covers its reruns
}

TEST(PvfGraphModel, ProtectedBitsMaskTheirFlipsAndLeaveEveryOtherOutcome) {
  PvfCampaign c = tiny_campaign(40, 2);
  MitigationVariant v;
  v.name = "protect30";
  v.mitigations.protect_bits = {30};
  c.config.mitigations = {v};
  const PvfResults r = run_pvf(c);
  long long bit30 = 0;
  for (const PvfExperiment& e : r.experiments) {
    if (e.bit == 30) {
      bit30 += e.outcomes[0] == PvfOutcome::sdc || e.outcomes[0] == PvfOutcome::crash;
      EXPECT_TRUE(e.outcomes[1] == PvfOutcome::masked || e.outcomes[1] == PvfOutcome::not_counted);
    } else {
      EXPECT_EQ(e.outcomes[1], e.outcomes[0]) << "bit " << e.bit;
    }
  }
  EXPECT_GT(bit30, 0);
}

TEST(PvfGraphModel, ClipVariantsGiveTheOutcomesOfTheModelClippedAtEveryReluAndRerunsEqualFullRuns) {
  PvfCampaign c = tiny_campaign(40, 2);
  MitigationVariant both = clip_variant("clip_protect", ClipMode::saturate, 0.5f);
  both.mitigations.protect_bits = {30};
  c.config.mitigations = {clip_variant("clip", ClipMode::saturate, 0.5f), clip_variant("zero", ClipMode::zero, 0.2f),
                          both};
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  PvfRunOptions full;
  full.shortcut = false;
  expect_same_experiments(r, run_pvf(c, full));
  for (std::size_t v = 1; v <= 2; ++v) {
    // The reference: the same campaign (pool, labels, draws) on the clipped model, unprotected.
    PvfCampaign clipped = c;
    clipped.config.mitigations.clear();
    Graph g = *c.graph;
    EXPECT_EQ(set_relu_clips(g, c.config.mitigations[v - 1].mitigations.clip), 2u);
    clipped.graph = std::make_shared<const Graph>(std::move(g));
    const PvfResults ref = run_pvf(clipped);
    EXPECT_EQ(ref.golden_correct[0], r.golden_correct[v]);
    int differs = 0;
    for (std::size_t i = 0; i < r.experiments.size(); ++i) {
      EXPECT_EQ(r.experiments[i].outcomes[v], ref.experiments[i].outcomes[0]) << "experiment " << i << " variant " << v;
      differs += r.experiments[i].outcomes[v] != r.experiments[i].outcomes[0];
    }
    EXPECT_GT(differs, 0) << v;  // the clip changed some outcome
  }
  EXPECT_LT(r.golden_correct[2], r.golden_correct[0]);  // zeroing above 0.2 costs fault-free accuracy
  for (const PvfExperiment& e : r.experiments)  // clip + protect: the clip's outcome, bit 30 masked
    if (e.bit == 30) {
      EXPECT_TRUE(e.outcomes[3] == PvfOutcome::masked || e.outcomes[3] == PvfOutcome::not_counted);
    } else {
      EXPECT_EQ(e.outcomes[3], e.outcomes[1]) << "bit " << e.bit;
    }
}

TEST(PvfGraphModel, ClippingAModelWithoutReluIsRefusedNamingTheKey) {
  testing::TempDir dir;
  testing::OnnxBuilder b;  // x -> Flatten -> Gemm -> logits: no Relu
  b.input("x", {0, 1, 4, 4}).output("logits").floats("fc.weight", {10, 16}, std::vector<float>(160, 0.25f));
  b.node("Flatten", {"x"}, {"f"}, "flatten");
  testing::OnnxBuilder::int_attribute(b.node("Gemm", {"f", "fc.weight"}, {"logits"}, "fc"), "transB", 1);
  b.save(dir.file("linear.onnx"));
  nlohmann::json j = testing::ideal_config("small");
  j.erase("faults");
  j["workload"] = {{"model", "linear.onnx"}};
  j["pvf"] = {{"experiments", 2}, {"mitigations", {{{"name", "clip"}, {"activation_clip", {{"mode", "saturate"}}}}}}};
  try {
    parse_run_config_json(j, dir.file("config.json"));
    FAIL() << "a clip variant on a model without Relu was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("config.json: pvf.mitigations[0].activation_clip: activation clipping acts at "
                                         "the Relu nodes"),
              std::string::npos)
        << e.what();
  }
}

TEST(PvfGraphModel, AnInterruptedRunResumesToTheSameResultsAndAnotherModelsCheckpointIsRefused) {
  const fs::path dir = fs::temp_directory_path() / ("accsim_graph_pvf_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string checkpoint = (dir / "p.h5.checkpoint").string();
  const PvfCampaign c = clipped_campaign(20, 2);  // variants' outcomes resume too
  PvfRunOptions first;
  first.checkpoint = checkpoint;
  first.max_experiments = 25;  // as if killed
  const PvfResults part = run_pvf(c, first);
  EXPECT_EQ(part.done_count(), 25);
  ASSERT_TRUE(fs::exists(checkpoint));
  PvfRunOptions rest;
  rest.checkpoint = checkpoint;
  const PvfResults resumed = run_pvf(c, rest);
  EXPECT_TRUE(resumed.complete());
  EXPECT_EQ(resumed.resumed, 25);
  expect_same_experiments(resumed, run_pvf(clipped_campaign(20, 1)));

  PvfCampaign other = c;
  Graph changed = *c.graph;
  changed.initializers.at("head.bias")[0] += 1.0f;  // another model, same names and shapes
  other.graph = std::make_shared<const Graph>(std::move(changed));
  EXPECT_NE(pvf_key(other), pvf_key(c));
  EXPECT_THROW(run_pvf(other, rest), InputError);
  fs::remove_all(dir);
}

TEST(PvfGraphModel, TheShippedVitStudyTargetsEveryBlocksAttentionAndMlpWeightsAndRerunsEqualFullRuns) {
  const RunConfig rc = parse_run_config(std::string(ACCSIM_SOURCE_DIR) + "/configs/experiments/pvf_vit_fmnist.json");  // loads the model, resolves the targets
  ASSERT_TRUE(rc.pvf && rc.workload.graph);
  ASSERT_EQ(rc.pvf->faults.targets.size(), 24u);  // 6 weights of each of 4 blocks
  PvfCampaign c;
  c.array = rc.array;
  c.graph = rc.workload.graph;  // batch 1: the config gives none
  c.config = *rc.pvf;
  c.config.experiments = 2;
  c.config.test_limit = 16;
  if (!fashion_mnist_available(rc.workload.dataset_dir)) GTEST_SKIP() << "Fashion-MNIST is not installed";
  LabelledImages d = load_fashion_mnist(rc.workload.dataset_dir, DatasetSplit::test, 0, 16);
  c.images = std::move(d.images);
  c.labels = std::move(d.labels);
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  EXPECT_GE(r.golden_correct[0], 12);  // a trained model: most of 16 test images right
  PvfRunOptions full;
  full.shortcut = false;
  expect_same_experiments(r, run_pvf(c, full));  // reruns through attention and LayerNorm
  for (std::size_t t = 0; t < 24; ++t) {
    const std::string& name = c.config.faults.targets[t].name;
    EXPECT_EQ(r.target_parameters[t], name.find(".mlp.") != std::string::npos ? 8192u : 4096u) << name;
  }
}

}  // namespace
}  // namespace accsim
