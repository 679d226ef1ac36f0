#include "tools/cli/config_overrides.h"

#include "arch/config_reader.h"
#include "arch/json_excerpt.h"

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
  return parse_run_config_json(load_config_json(options), options.config_file);
}

DlrmStudyConfig load_dlrm_config(const RunOptions& options) {
  return parse_dlrm_study_config_json(load_config_json(options), options.config_file);
}

std::string with_override_source(const std::string& message, const std::vector<ConfigOverride>& overrides) {
  for (const ConfigOverride& o : overrides)
    if (message.find(": " + o.key + ": ") != std::string::npos)
      return message + " (set by --" + o.flag + " " + one_line(o.text, kExcerptChars) + ")";
  return message;
}

}  // namespace accsim
