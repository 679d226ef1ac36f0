#include "workloads/campaign/campaign_setup.h"

#include <algorithm>
#include <stdexcept>

#include "arch/input_error.h"
#include "workloads/campaign/fault_evaluator.h"
#include "workloads/campaign/graph_campaign.h"
#include "workloads/models/workload_parameters.h"
#include "workloads/run/workload_input.h"

namespace accsim {

std::string model_key_of(const std::string& own_model, const std::string& own_key, const RunConfig& rc) {
  if (!own_model.empty()) return own_key;
  return rc.workload.parameters.empty() ? "workload.network" : "workload.parameters";
}

CampaignInputs load_campaign_inputs(const RunConfig& rc, const std::string& model_key, const std::string& model,
                                    int test_offset, int test_limit, int batch, std::uint64_t seed, std::ostream& notes) {
  CampaignInputs in;
  const Network& net = rc.workload.network;
  // The command's own key first, then the workload's trained parameters.
  const bool own = !model.empty();
  const std::string& file = own ? model : rc.workload.parameters;
  WorkloadParameters p = load_network_parameters(rc, own ? model_key : "workload.parameters", file, net, seed);
  in.params = std::move(p.params);
  in.model_source = std::move(p.source);
  if (file.empty())
    notes << "accsim: note: neither " << model_key
          << " nor workload.parameters is set; using untrained seeded Kaiming-uniform parameters (seed " << seed << ")\n";
  WorkloadInput images = load_test_images(rc, net, test_offset, test_limit, seed, notes);
  in.images = std::move(images.images);
  in.input_source = std::move(images.source);
  if (!images.synthetic()) {
    in.labels = std::move(images.labels);
    return in;
  }
  notes << "accsim: note: the synthetic images are labelled with the fault-free model's predictions (an SDC is any "
           "changed prediction)\n";
  const std::size_t per = in.images.size() / static_cast<std::size_t>(test_limit);
  const FaultEvaluator evaluator(rc.array, net, in.params);
  for (int first = 0; first < test_limit; first += batch) {
    const int count = std::min(batch, test_limit - first);
    Tensor part({count, net.channels, net.height, net.width});
    std::copy(in.images.data() + first * per, in.images.data() + (first + count) * per, part.data());
    const GoldenBatch g = evaluator.golden(part, std::vector<int>(static_cast<std::size_t>(count), 0));
    in.labels.insert(in.labels.end(), g.predictions.begin(), g.predictions.end());
  }
  return in;
}

void refuse_campaign_keys(const RunConfig& rc) {
  if (rc.mitigations.check != MitigationCheck::none || rc.mitigations.prune_faulty_weights ||
      !rc.mitigations.protect_bits.empty())
    throw InputError(rc.file + ": mitigations: accsim campaign applies only activation_clip of the top-level "
                               "mitigations (to every run); measure check, protect_bits and prune_faulty_weights as "
                               "variants in campaign.mitigations (docs/campaign.md)");
  if (rc.workload.graph) refuse_graph_campaign_keys(rc);
}

CampaignSource load_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes) {
  if (!rc.campaign) throw std::invalid_argument("load_campaign: the config has no campaign object");
  refuse_campaign_keys(rc);
  if (rc.workload.graph) return load_graph_campaign(rc, seed, notes);
  const CampaignConfig& cc = *rc.campaign;
  CampaignInputs in = load_campaign_inputs(rc, "campaign.model", cc.model, cc.test_offset, cc.test_limit, cc.batch, seed, notes);
  CampaignSource src;
  Campaign& c = src.campaign;
  c.array = rc.array;
  c.network = rc.workload.network;
  c.config = cc;
  c.seed = seed;
  c.model_origin = rc.file + ": " + model_key_of(cc.model, "campaign.model", rc);
  c.params = std::move(in.params);
  c.images = std::move(in.images);
  c.labels = std::move(in.labels);
  src.model_source = std::move(in.model_source);
  src.input_source = std::move(in.input_source);
  return src;
}

}  // namespace accsim
