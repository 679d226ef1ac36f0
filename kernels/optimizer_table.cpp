#include "kernels/optimizer_table.h"

#include <stdexcept>

#include "kernels/adam.h"
#include "kernels/sgd.h"

namespace accsim {

namespace {

OptimizerConfig defaults(const std::string& name, double lr, double weight_decay) {
  OptimizerConfig c;
  c.name = name, c.lr = lr, c.weight_decay = weight_decay;
  return c;
}

std::unique_ptr<Optimizer> make_sgd(const OptimizerConfig& c, const std::vector<ParameterSpec>& p) {
  return std::make_unique<Sgd>(c, p);
}
std::unique_ptr<Optimizer> make_adam(const OptimizerConfig& c, const std::vector<ParameterSpec>& p) {
  return std::make_unique<Adam>(c, p, false);
}
std::unique_ptr<Optimizer> make_adamw(const OptimizerConfig& c, const std::vector<ParameterSpec>& p) {
  return std::make_unique<Adam>(c, p, true);
}

}  // namespace

const std::vector<OptimizerKind>& optimizer_kinds() {
  static const std::vector<OptimizerKind> kinds = {
      {"sgd", {"lr", "momentum", "nesterov", "weight_decay"}, defaults("sgd", 0.01, 0.0), make_sgd},
      {"adam", {"lr", "betas", "eps", "weight_decay"}, defaults("adam", 1e-3, 0.0), make_adam},
      {"adamw", {"lr", "betas", "eps", "weight_decay"}, defaults("adamw", 1e-3, 1e-2), make_adamw},
  };
  return kinds;
}

std::vector<std::string> optimizer_names() {
  std::vector<std::string> names;
  for (const OptimizerKind& k : optimizer_kinds()) names.push_back(k.name);
  return names;
}

const OptimizerKind& optimizer_kind(const std::string& name) {
  for (const OptimizerKind& k : optimizer_kinds())
    if (k.name == name) return k;
  throw std::invalid_argument("optimizer: unknown optimizer \"" + name + "\"");
}

std::unique_ptr<Optimizer> make_optimizer(const OptimizerConfig& config, const std::vector<ParameterSpec>& params) {
  return optimizer_kind(config.name).make(config, params);
}

}  // namespace accsim
