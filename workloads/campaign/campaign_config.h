#pragma once
// The "campaign" object of a run config: what `accsim campaign` injects and into which
// images (docs/config.md documents every key).
#include <cstdint>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "arch/hardware_fault.h"
#include "faultmodels/memory_fault.h"
#include "workloads/mitigations/mitigation_config.h"

namespace accsim {

// Fashion-MNIST's test split holds this many images (and so does the synthetic stand-in).
inline constexpr int kCampaignTestImages = 10000;

struct CampaignConfig {
  std::string model;  // parameter file (write_parameters), resolved against the config's folder; "" = seeded init
  long long experiments = 0;
  int test_offset = 0;
  int test_limit = 100;
  int batch = 16;  // images per inference job
  std::vector<FaultSite> sites;
  std::vector<FaultKind> kinds;
  int bit_lo = 0, bit_hi = 31;
  int threads = 0;  // 0: every core
  double checkpoint_seconds = 5.0;
  std::vector<MitigationVariant> mitigations;  // empty: the unprotected run only
  // Memory sites (`cbuf`, `dram` in `sites`; docs/memory_faults.md): when set, `sites`
  // holds no PE site and the campaign injects memory faults under `memory`'s codes.
  std::vector<MemoryStructure> memory_sites;
  MemoryFaultConfig memory;
};

// A parameter-file key (`key`: "model" of a campaign or pvf object, "parameters" of the
// workload): an existing file, a relative path read from the config's folder; "" when
// absent. InputError naming the key otherwise.
std::string read_model_path(ConfigReader& reader, const std::string& config_file, const std::string& key = "model");

// `config_file` resolves a relative model path. InputError naming the file, the JSON path
// and the allowed range on bad input.
CampaignConfig parse_campaign_config(ConfigReader reader, const ArrayConfig& array, const std::string& config_file);

}  // namespace accsim
