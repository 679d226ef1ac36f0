#include "workloads/pvf/pvf_config.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "arch/input_error.h"
#include "workloads/campaign/campaign_config.h"
#include "workloads/models/relu_clip.h"
#include "workloads/pvf/pvf_graph_model.h"

namespace accsim {

namespace {

// SBF into each target of `targets`, one target each (the PVF paper's per-layer studies).
ParameterFaultsConfig sbf_into_each(std::vector<ParameterTarget> targets, const std::string& file) {
  ParameterFaultsConfig c;
  c.models.push_back(ParameterFaultModel{});
  c.file = file;
  c.path = "parameter_faults";
  for (const ParameterTarget& t : targets) c.target_paths.push_back("parameter_faults (default target " + t.name + ")");
  c.targets = std::move(targets);
  return c;
}

// The strata axes of pvf.stop.strata: a non-empty subset, each named once.
void parse_strata(ConfigReader& r, PvfStop& stop) {
  const nlohmann::json& a = r.get_raw("strata", "an array of \"model\", \"target\", \"bit\"");
  const std::string allowed = "a non-empty array of distinct names among \"model\", \"target\", \"bit\"";
  if (!a.is_array() || a.empty()) r.fail("strata", allowed);
  stop.by_model = stop.by_target = stop.by_bit = false;
  const std::map<std::string, bool PvfStop::*> axes{
      {"model", &PvfStop::by_model}, {"target", &PvfStop::by_target}, {"bit", &PvfStop::by_bit}};
  for (const nlohmann::json& v : a) {
    const auto it = v.is_string() ? axes.find(v.get<std::string>()) : axes.end();
    if (it == axes.end() || stop.*(it->second)) r.fail("strata", allowed + "; got " + a.dump());
    stop.*(it->second) = true;
  }
}

// pvf.stop: adaptive stopping (docs/pvf.md).
PvfStop parse_stop(ConfigReader r) {
  PvfStop s;
  s.relative = r.get_bool("relative", false);
  s.half_width = s.relative ? r.get_double("half_width", 1e-4, 1.0) : r.get_double("half_width", 1e-4, 0.5);
  if (r.has("strata")) parse_strata(r, s);
  s.round = r.get_int("round", 10, 10000000, 500);
  s.max_per_stratum = r.get_int("max_per_stratum", s.round, 100000000, std::max<long long>(s.round, 20000));
  r.finish();
  return s;
}

// Every key but the parameter faults; `graph`: a graph model, whose parameters are its
// ONNX initializers, whose pool images run one at a time and whose activations to clip
// are its Relu nodes.
PvfConfig parse_pvf_keys(ConfigReader& r, const std::string& config_file, const Graph* graph) {
  PvfConfig c;
  if (graph && r.has("model"))
    r.fail("model", "the parameters of a graph model are its ONNX initializers (workload.model); remove pvf.model");
  if (graph && r.has("batch"))
    r.fail("batch", "a graph model runs each pool image alone (batch 1); remove pvf.batch");
  c.model = read_model_path(r, config_file);
  if (r.has("stop")) {
    if (r.has("experiments"))
      r.fail("experiments", "an adaptive run (pvf.stop) sizes its strata itself; remove pvf.experiments "
                            "(pvf.stop.max_per_stratum caps them)");
    c.stop = parse_stop(r.get_object("stop"));
  } else {
    c.experiments = r.get_int("experiments", 1, 100000000);
  }
  c.test_offset = static_cast<int>(r.get_int("test_offset", 0, kCampaignTestImages - 1, 0));
  c.test_limit = static_cast<int>(r.get_int("test_limit", 1, kCampaignTestImages - c.test_offset, 1000));
  c.batch = static_cast<int>(r.get_int("batch", 1, kCampaignTestImages, graph ? 1 : 100));
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
    if (graph && m.clip.mode != ClipMode::none && relu_count(*graph) == 0)
      r.fail(where + ".activation_clip", "activation clipping acts at the Relu nodes of a graph model, and the model has "
                                         "none (Clip, LeakyRelu, Gelu, Sigmoid and Tanh are not clipped)");
  }
  r.finish();
  return c;
}

}  // namespace

PvfConfig parse_pvf_config(ConfigReader r, ConfigReader* parameter_faults, const Network& net,
                           const std::string& config_file) {
  PvfConfig c = parse_pvf_keys(r, config_file, nullptr);
  if (parameter_faults) {
    c.faults = parse_parameter_faults(*parameter_faults);
    return c;
  }
  std::vector<ParameterTarget> targets;
  for (const LayerSpec& l : net.layers) {
    ParameterTarget t;
    t.name = l.name;
    t.tensors = {l.name};
    t.parameter = ParameterKind::weight;
    targets.push_back(t);
  }
  c.faults = sbf_into_each(std::move(targets), config_file);
  return c;
}

PvfConfig parse_pvf_config(ConfigReader r, ConfigReader* parameter_faults, const Graph& graph,
                           const std::string& config_file) {
  PvfConfig c = parse_pvf_keys(r, config_file, &graph);
  const std::vector<int>& logits = graph.shape_of(graph.outputs.at(0));
  if (graph.inputs.size() != 1 || logits.size() != 2 || logits[0] != graph.batch() || logits[1] < 2)
    throw InputError(config_file + ": workload.model: accsim pvf needs a classifier with one input whose first output "
                                   "is logits [N, classes]; the model gives " + graph.outputs[0] + " " +
                     Tensor(logits).shape_string());
  if (parameter_faults) {
    c.faults = parse_parameter_faults(*parameter_faults);
  } else {
    std::vector<ParameterTarget> targets;
    for (const std::string& name : graph_array_weights(graph)) {
      ParameterTarget t;
      t.name = name;
      t.tensors = {name};
      targets.push_back(t);
    }
    if (targets.empty())
      throw InputError(config_file + ": parameter_faults: required here, the model has no initializer the array reads "
                                     "as weights to default to");
    c.faults = sbf_into_each(std::move(targets), config_file);
  }
  Graph probe = graph;  // the targets resolve on the initializers now: errors before anything runs
  resolve_parameter_faults(c.faults, graph_parameter_set(probe));
  return c;
}

}  // namespace accsim
