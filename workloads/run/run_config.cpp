#include "workloads/run/run_config.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "faultmodels/bit_protection.h"
#include "faultmodels/hardware_fault_parser.h"
#include "workloads/models/network.h"
#include "workloads/models/onnx_import.h"
#include "workloads/scalesim/scalesim_topology.h"

namespace accsim {

RunConfig parse_run_config(const std::string& file) { return parse_run_config_json(ConfigReader::load_file(file), file); }

RunConfig parse_run_config_json(const nlohmann::json& json, const std::string& file) {
  ConfigReader top(json, file, "");
  RunConfig rc;
  rc.file = file;
  rc.json_text = json.dump(2);
  rc.array = parse_array_config(top.get_object("array"));
  {
    ConfigReader w = top.get_object("workload");
    if (w.has("network") + w.has("topology") + w.has("model") > 1)
      w.fail(w.has("model") ? "model" : "topology", "give one of network, topology or model");
    if (w.has("parameters") && (w.has("model") || w.has("topology")))
      w.fail("parameters", "parameters belong to a network: a topology runs seeded operands, a model carries its own");
    if (w.has("model")) {
      rc.workload.model = config_relative_path(file, w.get_string("model"));
      rc.workload.batch = static_cast<int>(w.get_int("batch", 1, 4096, 1));
      rc.workload.graph = std::make_shared<const Graph>(load_onnx_model(rc.workload.model, rc.workload.batch));
    } else if (w.has("topology")) {
      rc.workload.topology = config_relative_path(file, w.get_string("topology"));
      rc.workload.batch = static_cast<int>(w.get_int("batch", 1, 4096, 1));
      Topology topology = parse_scalesim_topology(rc.workload.topology, rc.workload.batch);
      rc.workload.topology_jobs = std::move(topology.layers);
      rc.workload.topology_warnings = std::move(topology.warnings);
    } else {
      rc.workload.network = parse_network(w, "network");
      rc.workload.parameters = read_model_path(w, file, "parameters");
    }
    rc.workload.image_index = static_cast<int>(w.get_int("image_index", 0, 9999, 0));
    if (w.has("dataset_dir")) rc.workload.dataset_dir = config_relative_path(file, w.get_string("dataset_dir"));
    w.finish();
  }
  if (top.has("mitigations")) {
    rc.mitigations = parse_mitigations(top.get_object("mitigations"));
    rc.workload.network.clip = rc.mitigations.clip;
  }
  if (top.has("sweep")) rc.sweep = top.get_raw("sweep", "a sweep object");
  if (top.has("train_campaign")) rc.train_campaign = top.get_raw("train_campaign", "a train_campaign object");
  if (top.has("training")) rc.training = parse_training_config(top.get_object("training"));
  rc.seed = static_cast<std::uint64_t>(top.get_int("seed", 0, INT64_MAX, 1));
  rc.faults = parse_hardware_faults(top, "faults", rc.array);
  const std::uint32_t protect = protection_mask(rc.mitigations.protect_bits);
  const auto acts = std::stable_partition(rc.faults.begin(), rc.faults.end(),
                                          [&](const HardwareFault& f) { return !is_protected(f, protect); });
  rc.protected_faults.assign(acts, rc.faults.end());
  rc.faults.erase(acts, rc.faults.end());
  if (top.has("campaign")) rc.campaign = parse_campaign_config(top.get_object("campaign"), rc.array, file);
  if (top.has("pvf")) {
    std::optional<ConfigReader> faults;
    if (top.has("parameter_faults")) faults.emplace(top.get_object("parameter_faults"));
    rc.pvf = rc.workload.graph
                 ? parse_pvf_config(top.get_object("pvf"), faults ? &*faults : nullptr, *rc.workload.graph, file)
                 : parse_pvf_config(top.get_object("pvf"), faults ? &*faults : nullptr, rc.workload.network, file);
  } else if (top.has("parameter_faults")) {
    top.fail("parameter_faults", "only `accsim pvf` reads it here: add a \"pvf\" object (docs/pvf.md)");
  }
  top.finish();
  return rc;
}

}  // namespace accsim
