#include "tools/cli/config_overrides.h"

#include <algorithm>

#include "arch/config_reader.h"
#include "arch/json_excerpt.h"
#include "tools/cli/command_table.h"
#include "tools/cli/output_guard.h"

namespace accsim {

namespace {

// The object holding `key` (a dotted path), created where allowed; null when absent or
// not an object (the parser then reports the config's own problem).
nlohmann::json* parent_of(nlohmann::json& config, const ConfigOverride& o, std::string& leaf) {
  nlohmann::json* parent = &config;
  leaf = o.key;
  for (std::size_t dot; (dot = leaf.find('.')) != std::string::npos; leaf = leaf.substr(dot + 1)) {
    if (!parent->is_object()) return nullptr;
    const std::string block = leaf.substr(0, dot);
    if (!parent->contains(block)) {
      if (!o.creates_block) return nullptr;
      (*parent)[block] = nlohmann::json::object();
    }
    parent = &(*parent)[block];
  }
  return parent->is_object() ? parent : nullptr;
}

// The workload key a config gives: "network", "topology" or "model".
std::string workload_kind(const RunConfig& rc) {
  if (!rc.workload.topology.empty()) return "topology";
  return rc.workload.graph ? "model" : "network";
}

// A command never runs a workload it was not made for as something else (train once ran
// LeNet-5 for a topology config): the key is refused, naming the commands that take it.
void refuse_other_workloads(const RunConfig& rc, const std::string& command_name) {
  const CommandSpec* command = find_command(command_name);
  const std::string kind = workload_kind(rc);
  if (!command || std::find(command->workloads.begin(), command->workloads.end(), kind) != command->workloads.end())
    return;
  std::string takes, others;
  for (const std::string& w : command->workloads) takes += (takes.empty() ? "workload." : " or workload.") + w;
  for (const CommandSpec& c : command_table())
    if (std::find(c.workloads.begin(), c.workloads.end(), kind) != c.workloads.end())
      others += (others.empty() ? "" : ", ") + c.name;
  throw InputError(rc.file + ": workload." + kind + ": accsim " + command->name + " runs " + takes +
                   ", not a workload." + kind + " (" + others + " run those)");
}

}  // namespace

nlohmann::json load_config_json(const RunOptions& options) {
  nlohmann::json config = ConfigReader::load_file(options.config_file);
  for (const ConfigOverride& o : options.overrides) {
    std::string leaf;
    if (nlohmann::json* parent = parent_of(config, o, leaf)) (*parent)[leaf] = o.value;
  }
  return config;
}

RunConfig load_run_config(const RunOptions& options) {
  RunConfig rc = parse_run_config_json(load_config_json(options), options.config_file);
  refuse_other_workloads(rc, options.command);
  refuse_unsafe_outputs(options, run_inputs(rc, options.config_file));
  return rc;
}

DlrmStudyConfig load_dlrm_config(const RunOptions& options) {
  DlrmStudyConfig config = parse_dlrm_study_config_json(load_config_json(options), options.config_file);
  refuse_unsafe_outputs(options, {{"the config file", options.config_file}, {"workload.model", config.onnx.file}});
  return config;
}

std::string with_override_source(const std::string& message, const std::vector<ConfigOverride>& overrides) {
  for (const ConfigOverride& o : overrides)
    if (message.find(": " + o.key + ": ") != std::string::npos)
      return message + " (set by --" + o.flag + " " + one_line(o.text, kExcerptChars) + ")";
  return message;
}

}  // namespace accsim
