#pragma once
// The experiment config of `accsim --config FILE`: the array, the workload, the
// hardware faults, the seed and (for `accsim campaign`) the fault campaign. Every key
// is documented in docs/config.md.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "workloads/campaign/campaign_config.h"
#include "workloads/mitigations/mitigation_config.h"
#include "workloads/pvf/pvf_config.h"
#include "workloads/run/workload_config.h"
#include "workloads/training/training_config.h"

namespace accsim {

struct RunConfig {
  std::string file;
  ArrayConfig array;
  WorkloadConfig workload;
  std::vector<HardwareFault> faults;            // the faults that act
  std::vector<HardwareFault> protected_faults;  // configured on a bit of mitigations.protect_bits: they never act
  MitigationConfig mitigations;  // its clip is also copied into workload.network.clip
  TrainingConfig training;  // the `training` block (defaults when absent)
  std::uint64_t seed = 1;
  std::optional<CampaignConfig> campaign;  // `accsim campaign` needs it; other commands ignore it
  std::optional<PvfConfig> pvf;            // `accsim pvf` needs it (with the parameter_faults block)
  std::string json_text;  // the config as read, stored with the results
  nlohmann::json sweep;   // the `sweep` block, raw (workloads/sweep/sweep.h reads it); null when absent
  // The `train_campaign` block, raw (workloads/train_campaign/train_campaign_setup.h reads it); null when absent.
  nlohmann::json train_campaign;
};

// Throws InputError naming the file and the JSON path of the first bad key.
RunConfig parse_run_config(const std::string& file);
// The same from parsed JSON; `file` names the config in messages and anchors relative paths.
RunConfig parse_run_config_json(const nlohmann::json& json, const std::string& file);

}  // namespace accsim
