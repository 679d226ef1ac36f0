// The PVF model of a built-in network (its graph with batch 1, the one PVF path) against
// the network's own chain run (run_network, workloads/models/inference.h) as reference:
// parameters named in layer order, fault-free correct sets and batch cycles per variant,
// and every experiment's outcome, with the shortcut (stacked rests, channel reruns,
// fault-free records sliced out of batches) and without, equal to a whole chain run with
// the corrupted parameters, for single- and multi-bit flips into every layer's weights and
// biases, with a clipping variant, with and without the rotate swizzle.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "faultmodels/parameter_fault_config.h"
#include "faultmodels/parameter_injection.h"
#include "test_util.h"
#include "workloads/models/batch_effect.h"
#include "workloads/models/inference.h"
#include "workloads/models/network_graph.h"
#include "workloads/pvf/pvf_campaign.h"
#include "workloads/pvf/pvf_graph_model.h"
#include "workloads/run/engines.h"

namespace accsim {
namespace {

const ActivationClip kClip{ClipMode::saturate, 0.5f};

PvfCampaign random_lenet(int images, SwizzlePolicy swizzle) {
  PvfCampaign c;
  c.array = testing::preset("small");
  c.array.swizzle = swizzle;
  c.network = lenet5();
  c.params = init_parameters(c.network, 6);
  Rng rng(7);
  c.images = testing::random_tensor({images, 1, 28, 28}, rng, 0.0f, 1.0f);
  c.labels = graph_predicted_labels(network_graph(c.network, c.params, 1), c.array, c.images, 1);
  c.config.batch = 4;  // the records come from two batches of 4 and one of 2
  c.config.test_limit = images;
  c.config.threads = 2;
  MitigationVariant clip;
  clip.name = "clip";
  clip.mitigations.clip = kClip;
  c.config.mitigations = {clip};
  ParameterFaultsConfig& f = c.config.faults;
  f.models = {ParameterFaultModel{}};  // sbf
  ParameterFaultModel mbf;
  mbf.kind = ParameterFaultKind::mbf;
  mbf.count = 3;
  f.models.push_back(mbf);
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

Network variant_network(const PvfCampaign& c, std::size_t variant) {
  Network net = c.network;
  if (variant > 0) net.clip = kClip;
  return net;
}

Tensor image(const PvfCampaign& c, int first, int count) {
  Tensor x({count, 1, 28, 28});
  std::copy_n(c.images.data() + static_cast<std::size_t>(first) * x.size() / count, x.size(), x.data());
  return x;
}

int chain_prediction(const PvfCampaign& c, std::size_t variant, const NetworkParameters& params, int i) {
  const PeFaults healthy;
  const Tensor logits = run_network(variant_network(c, variant), params, image(c, i, 1), *make_engine("fast", c.array, healthy)).logits;
  for (std::size_t k = 0; k < logits.size(); ++k)
    if (!std::isfinite(logits.data()[k])) return -1;
  return argmax_row(logits.data(), static_cast<int>(logits.size()));
}

// The outcome of `injection` from a whole chain run with the corrupted parameters.
PvfOutcome chain_outcome(const PvfCampaign& c, std::size_t variant, const Injection& injection, int i) {
  NetworkParameters params = c.params;
  for (const ParameterFlip& f : injection.flips) {  // tensors in layer order: weight, bias per layer
    Tensor& t = f.tensor % 2 == 0 ? params.weights[f.tensor / 2] : params.biases[f.tensor / 2];
    t.data()[f.element] = f.new_value();
  }
  const int predicted = chain_prediction(c, variant, params, i);
  return predicted < 0 ? PvfOutcome::crash : predicted != c.labels[static_cast<std::size_t>(i)] ? PvfOutcome::sdc
                                                                                                  : PvfOutcome::masked;
}

TEST(PvfGraphNetwork, ParametersAreEveryLayersWeightAndBiasInLayerOrder) {
  const PvfCampaign c = random_lenet(2, SwizzlePolicy::none);
  const auto worker = make_graph_pvf_model(c)->make_worker();
  const ParameterSet& set = worker->parameters();
  ASSERT_EQ(set.size(), 2 * c.network.layers.size());
  EXPECT_EQ(set[0].name, "conv1.weight");
  EXPECT_EQ(set[1].name, "conv1.bias");
  EXPECT_EQ(set[3].name, "conv2.bias");
  EXPECT_EQ(set[2].size, c.params.weights[1].size());
}

TEST(PvfGraphNetwork, RecordsAndOutcomesEqualWholeChainRuns) {
  const int n = 10;
  for (SwizzlePolicy swizzle : {SwizzlePolicy::none, SwizzlePolicy::rotate}) {
    const PvfCampaign c = random_lenet(n, swizzle);
    const auto model = make_graph_pvf_model(c);
    const PeFaults healthy;
    for (std::size_t v = 0; v < 2; ++v) {
      EXPECT_EQ(model->golden_cycles(v),
                run_network(variant_network(c, v), c.params, image(c, 0, 4), *make_engine("fast", c.array, healthy)).cycles);
      for (int i = 0; i < n; ++i)
        EXPECT_EQ(model->golden_correct(v, i), chain_prediction(c, v, c.params, i) == c.labels[static_cast<std::size_t>(i)]);
    }
    const auto worker = model->make_worker();
    const std::vector<ResolvedTarget> targets = resolve_parameter_faults(c.config.faults, worker->parameters());
    std::vector<int> images;
    std::vector<Injection> injections;
    Rng rng(8);
    for (std::uint64_t k = 0; k < 80; ++k) {
      const int i = static_cast<int>(rng.below(n));
      if (!model->golden_correct(0, i) || !model->golden_correct(1, i)) continue;
      ParameterSet& set = worker->parameters();
      Injection inj = inject(set, targets[k % targets.size()], c.config.faults.models[k % 2], 100 + k);
      inj.undo(set);
      images.push_back(i);
      injections.push_back(std::move(inj));
    }
    ASSERT_GT(injections.size(), 30u);
    std::size_t failures = 0;
    for (std::size_t v = 0; v < 2; ++v) {
      std::vector<PvfOutcome> want;
      for (std::size_t k = 0; k < injections.size(); ++k) want.push_back(chain_outcome(c, v, injections[k], images[k]));
      EXPECT_EQ(worker->evaluate(v, images, injections, true), want) << "variant " << v;
      EXPECT_EQ(worker->evaluate(v, images, injections, false), want) << "variant " << v;
      for (PvfOutcome o : want) failures += o != PvfOutcome::masked;
    }
    EXPECT_GT(failures, 0u);
  }
}

}  // namespace
}  // namespace accsim
