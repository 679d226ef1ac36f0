#pragma once
// What one sweep point runs, picked by parse_sweep from the point's config (validated
// like any config): its array, faults, workload and top-level mitigations and, with a
// `campaign` block, its campaign's inputs. Nothing after parse_sweep reads more.
#include <optional>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "workloads/campaign/campaign_inputs.h"
#include "workloads/mitigations/mitigation_config.h"
#include "workloads/run/workload_config.h"

namespace accsim {

struct SweepPointConfig {
  std::string file;  // the sweep's config: named in errors, relative paths resolved against its folder
  ArrayConfig array;
  std::vector<HardwareFault> faults;  // those that act
  WorkloadConfig workload;
  MitigationConfig mitigations;           // the clip on every Relu, the check around the faulty run
  std::optional<CampaignInputs> campaign;  // with a `campaign` block: the point runs it
};

}  // namespace accsim
