#include "workloads/pvf_config.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "workloads/campaign_config.h"

namespace accsim {

namespace {

// SBF into each layer's weights, one target per layer (the PVF paper's LeNet study).
ParameterFaultsConfig per_layer_sbf(const Network& net, const std::string& file) {
  ParameterFaultsConfig c;
  c.models.push_back(ParameterFaultModel{});
  c.file = file;
  c.path = "parameter_faults";
  for (const LayerSpec& l : net.layers) {
    ParameterTarget t;
    t.name = l.name;
    t.tensors = {l.name};
    t.parameter = ParameterKind::weight;
    c.targets.push_back(t);
    c.target_paths.push_back("parameter_faults (default target " + l.name + ")");
  }
  return c;
}

}  // namespace

PvfConfig parse_pvf_config(ConfigReader r, ConfigReader* parameter_faults, const Network& net,
                           const std::string& config_file) {
  PvfConfig c;
  c.model = read_model_path(r, config_file);
  c.experiments = r.get_int("experiments", 1, 100000000);
  c.test_offset = static_cast<int>(r.get_int("test_offset", 0, kCampaignTestImages - 1, 0));
  c.test_limit = static_cast<int>(r.get_int("test_limit", 1, kCampaignTestImages - c.test_offset, 1000));
  c.batch = static_cast<int>(r.get_int("batch", 1, kCampaignTestImages, 100));
  c.threads = static_cast<int>(r.get_int("threads", 0, 1024, 0));
  c.checkpoint_seconds = r.get_double("checkpoint_seconds", 0.1, 86400.0, 5.0);
  c.mitigations = parse_mitigation_variants(r, "mitigations");
  for (std::size_t i = 0; i < c.mitigations.size(); ++i) {
    const MitigationConfig& m = c.mitigations[i].mitigations;
    const std::string where = "mitigations[" + std::to_string(i) + "]";
    if (m.check != MitigationCheck::none)
      r.fail(where + ".check", "job checks do not apply to parameter faults: a corrupted stored parameter is read the "
                               "same by every checked copy (use `accsim campaign` for hardware faults)");
    if (m.prune_faulty_weights)
      r.fail(where + ".prune_faulty_weights", "fault-aware pruning needs a faulty PE; it does not apply to parameter faults");
  }
  r.finish();
  c.faults = parameter_faults ? parse_parameter_faults(*parameter_faults) : per_layer_sbf(net, config_file);
  return c;
}

}  // namespace accsim
