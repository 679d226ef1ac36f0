#pragma once
// The "pvf" object of a run config (`accsim pvf`, docs/pvf.md) and the parameter fault
// model it injects (the top-level "parameter_faults" block, docs/parameter_faults.md).
#include <string>
#include <vector>

#include "arch/config_reader.h"
#include "faultmodels/parameter_fault_config.h"
#include "workloads/mitigations/mitigation_config.h"
#include "workloads/models/graph.h"
#include "workloads/models/network.h"

namespace accsim {

// Adaptive stopping (docs/pvf.md, "Adaptive stopping"): experiments are drawn per stratum
// in rounds, and a stratum stops once its 95% Wilson half-width reaches the target (or
// its cap). Off when half_width is 0: `experiments` per (fault model, target).
struct PvfStop {
  double half_width = 0;           // absolute, or relative to the stratum's rate when `relative`
  bool relative = false;
  bool by_model = false, by_target = true, by_bit = true;  // the stratum axes
  long long round = 500;           // experiments per open stratum and round
  long long max_per_stratum = 20000;
  bool enabled() const { return half_width > 0; }
};

struct PvfConfig {
  std::string model;             // parameter file, resolved against the config's folder; "" = seeded init
  long long experiments = 0;     // per (fault model, target); adaptive runs: 0 (see stop)
  int test_offset = 0;
  int test_limit = 1000;         // the pool of test images an experiment draws its input from
  int batch = 100;               // images per fault-free inference job (graph models: 1)
  int threads = 0;               // 0: every core
  double checkpoint_seconds = 5.0;
  std::vector<MitigationVariant> mitigations;
  PvfStop stop;
  ParameterFaultsConfig faults;  // default: SBF into each layer's (array node's) weights, one target each
};

// `pvf`: the "pvf" object; `parameter_faults`: the top-level block when the config has
// one (null otherwise). InputError naming the file, the JSON path and the allowed range.
// Mitigations that do not apply to corrupted stored parameters (job checks, pruning) are
// refused with the reason.
PvfConfig parse_pvf_config(ConfigReader pvf, ConfigReader* parameter_faults, const Network& net,
                           const std::string& config_file);
// The same for a graph model (workload.model): the targets name its initializers and are
// resolved here; pvf.model, pvf.batch and activation clipping are refused.
PvfConfig parse_pvf_config(ConfigReader pvf, ConfigReader* parameter_faults, const Graph& graph,
                           const std::string& config_file);

}  // namespace accsim
