#pragma once
// The optimisers by name, with the config keys each reads and its defaults (PyTorch's
// for Adam/AdamW; today's SGD for sgd), so the config parser and the factory agree.
#include <memory>
#include <string>
#include <vector>

#include "kernels/optimizer.h"
#include "kernels/optimizer_config.h"

namespace accsim {

struct OptimizerKind {
  std::string name;
  std::vector<std::string> keys;  // config keys besides "name" that this optimiser reads
  OptimizerConfig defaults;
  std::unique_ptr<Optimizer> (*make)(const OptimizerConfig&, const std::vector<ParameterSpec>&);
};

const std::vector<OptimizerKind>& optimizer_kinds();
std::vector<std::string> optimizer_names();
// std::invalid_argument for an unknown name (or a config validate() refuses).
const OptimizerKind& optimizer_kind(const std::string& name);
std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config, const std::vector<ParameterSpec>& params);

}  // namespace accsim
