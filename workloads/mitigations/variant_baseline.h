#pragma once
// What a campaign's mitigation variant costs and sees without a fault (VariantBaseline,
// graph_mitigated_evaluation.h).
#include <vector>

#include "arch/array_config.h"
#include "faultmodels/checked_engine.h"
#include "workloads/campaign/campaign_types.h"
#include "workloads/mitigations/mitigation_config.h"

namespace accsim {

// The check a variant's CheckedEngine runs (`check` must not be none).
CheckKind check_kind(MitigationCheck check);

// Name, description and storage overhead (protected bits / word bits of the array's format).
VariantBaseline variant_baseline(const MitigationVariant& variant, const ArrayConfig& array);

// Adds the variant's fault-free batches: per batch its cycles (the checked run's for a
// check variant) and its checks' statistics (empty stats without a check).
void add_fault_free_batches(VariantBaseline& baseline, const std::vector<long long>& cycles,
                            const std::vector<CheckStats>& stats);

}  // namespace accsim
