#pragma once
// The "parameter_faults" block of a config: one parameter fault model (or a sweep of it
// over several rates or counts) and the targets it is injected into, each target studied
// on its own (docs/config.md, docs/parameter_faults.md):
//
//   "parameter_faults": {
//     "model": "ber",                        // sbf | mbf | mbbf | ber | value
//     "rate": [1e-9, 1e-7, 1e-5],            // ber, value: a number or a list (a sweep)
//     "parameter": "weight",                 // default of every target: weight | bias | any
//     "targets": ["embedding", "mlp.top", {"name": "exp", "tensors": ["all"], "bits": [30, 29]}]
//   }
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "faultmodels/parameter_fault_model.h"
#include "faultmodels/parameter_set.h"
#include "faultmodels/parameter_target.h"

namespace accsim {

struct ParameterFaultsConfig {
  std::vector<ParameterFaultModel> models;  // one per value of the swept key (one if nothing is swept)
  std::string swept;                        // "rate", "count" or "" (a single model)
  std::vector<ParameterTarget> targets;
  // For messages about a model that does not fit a target (known only with the model):
  std::string file;
  std::string path;                       // the block's JSON path, e.g. "parameter_faults"
  std::vector<std::string> target_paths;  // per target, e.g. "parameter_faults.targets[1]"
};

// A non-empty array of distinct bit positions in [0, 31] (`fallback` when the key is absent).
std::vector<int> parse_bit_positions(ConfigReader& reader, const std::string& key, const std::vector<int>& fallback);

// InputError naming the file, the JSON path and the allowed range on bad input.
ParameterFaultsConfig parse_parameter_faults(ConfigReader reader);

// Resolves every target on `set` and checks every model fits every target: InputError
// naming the file and the JSON path of the target (or of the model's key) otherwise.
std::vector<ResolvedTarget> resolve_parameter_faults(const ParameterFaultsConfig& config, const ParameterSet& set);

}  // namespace accsim
