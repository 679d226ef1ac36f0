// Replaying PVF experiments: random experiments of a run with mitigation variants (crashes
// included) replay equal to the run's records, with their injections.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "arch/input_error.h"
#include "test_util.h"
#include "workloads/models/model_file.h"
#include "workloads/pvf/pvf_campaign.h"
#include "workloads/models/network_graph.h"
#include "workloads/pvf/pvf_graph_model.h"
#include "workloads/models/batch_effect.h"
#include "workloads/replay/replay_record.h"

namespace accsim {
namespace {

// The shipped trained LeNet-5 on 40 synthetic images labelled with its predictions;
// single-bit flips in the exponent (crashes) and elsewhere, with bit 30 protected in a variant.
PvfCampaign small_pvf() {
  PvfCampaign c;
  c.array = testing::preset("small");
  c.network = lenet5();
  c.params = read_parameters(std::string(ACCSIM_SOURCE_DIR) + "/configs/models/lenet5_fashion_mnist.h5", c.network);
  c.seed = 5;
  const int n = 40;
  Rng rng(6);
  c.images = testing::random_tensor({n, 1, 28, 28}, rng, 0.0f, 1.0f);
  c.labels = graph_predicted_labels(network_graph(c.network, c.params, 1), c.array, c.images, 1);
  c.config.experiments = 60;
  c.config.test_limit = n;
  c.config.batch = 20;
  c.config.threads = 2;
  ParameterFaultsConfig& f = c.config.faults;
  f.models = {ParameterFaultModel{}};  // sbf
  for (const char* layer : {"conv1", "fc1"}) {
    ParameterTarget t;
    t.name = layer;
    t.tensors = {layer};
    t.parameter = ParameterKind::weight;
    t.bits = {26, 27, 28, 29, 30, 31};
    f.targets.push_back(t);
    f.target_paths.push_back(std::string("targets.") + layer);
  }
  MitigationVariant protect;
  protect.name = "protect30";
  protect.mitigations.protect_bits = {30};
  c.config.mitigations = {protect};
  return c;
}

// The recorded whole runs of a replayed experiment give its unprotected outcome: the
// fault-free logits classify the image as counted, the faulty ones as the outcome says,
// and a crash has a first non-finite node.
void expect_runs_explain_the_outcome(const PvfRuns& runs, PvfOutcome outcome, int label, const std::string& what) {
  ASSERT_NE(runs.graph, nullptr) << what;
  const Tensor& golden = runs.golden.outputs.at(0);
  const Tensor& faulty = runs.faulty.outputs.at(0);
  const int classes = golden.dim(1);
  const bool nonfinite = std::any_of(faulty.data(), faulty.data() + faulty.size(), [](float v) { return !std::isfinite(v); });
  EXPECT_EQ(argmax_row(golden.data(), classes) == label, outcome != PvfOutcome::not_counted) << what;
  if (outcome == PvfOutcome::not_counted) return;
  EXPECT_EQ(outcome == PvfOutcome::crash, nonfinite) << what;
  if (!nonfinite) {
    EXPECT_EQ(argmax_row(faulty.data(), classes) == label, outcome == PvfOutcome::masked) << what;
  }
  const int first = first_nonfinite_node(*runs.graph, runs.golden, runs.faulty);
  if (nonfinite) {
    EXPECT_GE(first, 0) << what;  // (a -Inf that a Relu zeroes leaves finite logits)
  }
  EXPECT_EQ(runs.golden.values.size(), runs.faulty.values.size()) << what;
}

TEST(PvfReplay, FiftyRandomExperimentsReplayEqualToTheRunsRecords) {
  const PvfCampaign c = small_pvf();
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  const PvfReplayer replayer(c);
  EXPECT_EQ(replayer.plan().experiments.size(), r.experiments.size());
  Rng rng(12);
  int crashes = 0;
  for (int k = 0; k < 50; ++k) {
    const std::size_t i = rng.below(r.experiments.size());
    Injection inj;
    const PvfExperiment e = replayer.replay(i, inj);
    const PvfExperiment& x = r.experiments[i];
    const std::string what = "experiment " + std::to_string(i);
    EXPECT_EQ(std::tie(e.model, e.target, e.image, e.bit_flips, e.bit, e.tensor, e.element),
              std::tie(x.model, x.target, x.image, x.bit_flips, x.bit, x.tensor, x.element))
        << what;
    EXPECT_EQ(std::memcmp(&e.old_value, &x.old_value, sizeof(float)), 0) << what;
    EXPECT_EQ(std::memcmp(&e.new_value, &x.new_value, sizeof(float)), 0) << what;
    EXPECT_EQ(e.outcomes, x.outcomes) << what;
    ASSERT_EQ(inj.flips.size(), 1u) << what;  // one single-bit flip, the recorded first one
    EXPECT_EQ(inj.flips[0].tensor, x.tensor) << what;
    EXPECT_EQ(inj.flips[0].element, x.element) << what;
    crashes += e.outcomes[0] == PvfOutcome::crash;
    expect_runs_explain_the_outcome(replayer.record(e, inj), e.outcomes[0], c.labels.at(e.image), what);
  }
  EXPECT_GT(crashes, 0);
}

// An adaptive run's experiments replay by stratum and sample (its plan depends on the
// results, which a replay does not have): equal to the run's records.
TEST(PvfReplay, AnAdaptiveRunsExperimentsReplayByStratumAndSample) {
  PvfCampaign c = small_pvf();
  c.config.experiments = 0;
  c.config.stop.half_width = 0.2;
  c.config.stop.round = 10;
  c.config.stop.max_per_stratum = 40;
  const PvfResults r = run_pvf(c);
  ASSERT_TRUE(r.complete());
  PvfReplayer replayer(c);
  Rng rng(13);
  for (int k = 0; k < 20; ++k) {
    const PvfExperiment& x = r.experiments[rng.below(r.experiments.size())];
    ASSERT_GE(x.stratum, 0);
    Injection inj;
    const PvfExperiment e = replayer.replay(replayer.plan_sample(x.stratum, x.sample, "replay"), inj);
    const std::string what = "stratum " + std::to_string(x.stratum) + " sample " + std::to_string(x.sample);
    EXPECT_EQ(std::tie(e.model, e.target, e.image, e.bit_flips, e.bit, e.tensor, e.element, e.stratum, e.sample),
              std::tie(x.model, x.target, x.image, x.bit_flips, x.bit, x.tensor, x.element, x.stratum, x.sample))
        << what;
    EXPECT_EQ(e.outcomes, x.outcomes) << what;
  }
  EXPECT_THROW(replayer.plan_sample(static_cast<int>(r.strata.size()), 0, "replay"), InputError);
  EXPECT_THROW(replayer.plan_sample(0, 40, "replay"), InputError);
}

}  // namespace
}  // namespace accsim
