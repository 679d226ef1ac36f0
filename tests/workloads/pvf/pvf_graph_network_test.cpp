// The PVF graph model on a built-in network (its graph with batch 1) gives what the chain
// model gives: the same parameters in layer order, fault-free correct sets and batch
// cycles per variant, and every experiment's outcome, stacked or rerun whole, for random
// single-bit flips into every layer's weights and biases, with a clipping variant.
#include <gtest/gtest.h>

#include "faultmodels/parameter_fault_config.h"
#include "faultmodels/parameter_injection.h"
#include "test_util.h"
#include "workloads/models/network_graph.h"
#include "workloads/pvf/pvf_campaign.h"
#include "workloads/pvf/pvf_chain_model.h"
#include "workloads/pvf/pvf_graph_model.h"

namespace accsim {
namespace {

PvfCampaign random_lenet(int images) {
  PvfCampaign c;
  c.array = testing::preset("small");
  c.network = lenet5();
  c.params = init_parameters(c.network, 6);
  Rng rng(7);
  c.images = testing::random_tensor({images, 1, 28, 28}, rng, 0.0f, 1.0f);
  c.labels = graph_predicted_labels(network_graph(c.network, c.params, 1), c.array, c.images, 1);
  c.config.batch = 4;
  c.config.test_limit = images;
  c.config.threads = 1;
  MitigationVariant clip;
  clip.name = "clip";
  clip.mitigations.clip = ActivationClip{ClipMode::saturate, 0.5f};
  c.config.mitigations = {clip};
  ParameterFaultsConfig& f = c.config.faults;
  f.models = {ParameterFaultModel{}};  // sbf
  for (const LayerSpec& l : c.network.layers)
    for (ParameterKind kind : {ParameterKind::weight, ParameterKind::bias}) {
      ParameterTarget t;
      t.name = l.name;
      t.tensors = {l.name};
      t.parameter = kind;
      f.targets.push_back(t);
      f.target_paths.push_back("targets." + l.name);
    }
  return c;
}

TEST(PvfGraphNetwork, GraphModelOfANetworkEqualsTheChainModel) {
  const PvfCampaign c = random_lenet(6);
  const auto graph = make_graph_pvf_model(c), chain = make_chain_pvf_model(c);
  for (std::size_t v = 0; v < 2; ++v) {
    EXPECT_EQ(graph->golden_cycles(v), chain->golden_cycles(v));
    for (int i = 0; i < 6; ++i) EXPECT_EQ(graph->golden_correct(v, i), chain->golden_correct(v, i));
  }
  const auto gw = graph->make_worker(), cw = chain->make_worker();
  ASSERT_EQ(gw->parameters().names(), cw->parameters().names());
  const std::vector<ResolvedTarget> targets = resolve_parameter_faults(c.config.faults, gw->parameters());
  std::vector<int> images;
  std::vector<Injection> injections;
  Rng rng(8);
  for (std::uint64_t k = 0; k < 60; ++k) {
    const int image = static_cast<int>(rng.below(6));
    if (!chain->golden_correct(0, image) || !chain->golden_correct(1, image)) continue;
    ParameterSet& set = gw->parameters();
    Injection inj = inject(set, targets[k % targets.size()], c.config.faults.models[0], 100 + k);
    inj.undo(set);
    images.push_back(image);
    injections.push_back(std::move(inj));
  }
  ASSERT_GT(injections.size(), 20u);
  std::size_t failures = 0;
  for (std::size_t v = 0; v < 2; ++v) {
    const std::vector<PvfOutcome> want = cw->evaluate(v, images, injections, true);
    EXPECT_EQ(gw->evaluate(v, images, injections, true), want) << "variant " << v;
    EXPECT_EQ(gw->evaluate(v, images, injections, false), want) << "variant " << v;
    for (PvfOutcome o : want) failures += o != PvfOutcome::masked;
  }
  EXPECT_GT(failures, 0u);
}

}  // namespace
}  // namespace accsim
