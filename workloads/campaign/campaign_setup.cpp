#include "workloads/campaign/campaign_setup.h"

#include <stdexcept>

#include "arch/input_error.h"
#include "workloads/campaign/graph_campaign.h"

namespace accsim {

void refuse_campaign_keys(const RunConfig& rc) {
  if (rc.mitigations.check != MitigationCheck::none || rc.mitigations.prune_faulty_weights ||
      !rc.mitigations.protect_bits.empty())
    throw InputError(rc.file + ": mitigations: accsim campaign applies only activation_clip of the top-level "
                               "mitigations (to every run); measure check, protect_bits and prune_faulty_weights as "
                               "variants in campaign.mitigations (docs/campaign.md)");
  if (rc.campaign) refuse_graph_campaign_keys(rc.workload, *rc.campaign, rc.file);
}

CampaignInputs campaign_inputs(const RunConfig& rc) {
  if (!rc.campaign) throw std::invalid_argument("campaign_inputs: the config has no campaign object");
  return {rc.file, rc.array, rc.workload, rc.mitigations.clip, *rc.campaign};
}

CampaignSource load_campaign(const RunConfig& rc, std::uint64_t seed, std::ostream& notes) {
  if (!rc.campaign) throw std::invalid_argument("load_campaign: the config has no campaign object");
  refuse_campaign_keys(rc);
  return load_graph_campaign(campaign_inputs(rc), seed, notes);
}

}  // namespace accsim
