#pragma once
// Outcome rates of a training-fault campaign with 95% Wilson intervals, over all
// experiments and grouped by site, kind, pass (transients; permanent faults act in every
// pass and form their own group) and bit.
#include <vector>

#include "workloads/io/table.h"
#include "workloads/train_campaign/train_fault.h"
#include "workloads/train_campaign/train_outcome.h"

namespace accsim {

// Columns: group ("all", "site", "kind", "pass", "bit"), value, experiments, then per
// outcome its count, rate, rate_lo and rate_hi (e.g. sdc, sdc_rate, sdc_lo, sdc_hi).
Table train_campaign_summary(const std::vector<TrainFault>& faults, const std::vector<TrainOutcome>& outcomes);

}  // namespace accsim
