#pragma once
// The "train_campaign" object of a config: what `accsim train-campaign` injects while a
// network trains (docs/training.md, "Training-fault campaigns"). The training itself
// (batch, optimiser, data split) comes from the config's `training` block.
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "arch/hardware_fault.h"
#include "arch/pass_lowering.h"

namespace accsim {

// When a permanent fault appears: at the first fault step, or at a step drawn like a
// transient's.
enum class PermanentOnset { first_step, drawn };

struct TrainCampaignConfig {
  std::string model;         // parameter file to start from, "" = seeded initialisation
  long long experiments = 0;
  long long steps = 0;       // training steps of every run (batches of training.batch_size)
  long long first_fault_step = 0, last_fault_step = 0;  // fault steps are drawn in [first, last]
  PermanentOnset onset = PermanentOnset::first_step;
  std::vector<FaultSite> sites;
  std::vector<FaultKind> kinds;
  std::vector<Pass> passes;  // the passes a transient may strike
  int bit_lo = 0, bit_hi = 31;
  double margin = 0.02;      // accuracy (fraction) a run may lose and still count as unaffected
  long long curve_every = 0; // validate every this many steps for the curves (0: at the end only)
  int threads = 0;           // 0: every core
  double checkpoint_seconds = 5.0;
};

const std::vector<std::string>& permanent_onset_names();  // {"first_step", "drawn"}

// `raw`: the object; `config_file` names it in messages and anchors a relative model path.
// InputError naming the file, the JSON path and the allowed range on bad input.
TrainCampaignConfig parse_train_campaign_config(const nlohmann::json& raw, const std::string& config_file,
                                                const ArrayConfig& array);

}  // namespace accsim
