#include "kernels/optimizer_config.h"

#include <cmath>
#include <stdexcept>

namespace accsim {

namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("optimizer: " + what);
}

}  // namespace

void OptimizerConfig::validate() const {
  require(std::isfinite(lr) && lr > 0.0, "lr must be a finite number > 0");
  require(momentum >= 0.0 && momentum < 1.0, "momentum must be in [0, 1)");
  require(!nesterov || momentum > 0.0, "nesterov needs momentum > 0");
  require(std::isfinite(weight_decay) && weight_decay >= 0.0, "weight_decay must be a finite number >= 0");
  require(beta1 >= 0.0 && beta1 < 1.0 && beta2 >= 0.0 && beta2 < 1.0, "betas must be in [0, 1)");
  require(std::isfinite(eps) && eps > 0.0, "eps must be a finite number > 0");
}

}  // namespace accsim
