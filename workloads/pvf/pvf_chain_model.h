#pragma once
// The PVF model of a built-in chain network (workloads/pvf/pvf_model.h): per distinct
// network of the variants (activation clipping), the fault-free record of every pool
// image, computed in batches of `pvf.batch`; workers evaluate corruptions with the
// column shortcut of workloads/pvf/parameter_fault_evaluator.h.
#include <memory>

#include "workloads/pvf/pvf_campaign.h"
#include "workloads/pvf/pvf_model.h"

namespace accsim {

// Keeps a reference to `campaign`, which must outlive the model.
std::unique_ptr<PvfModel> make_chain_pvf_model(const PvfCampaign& campaign);

}  // namespace accsim
