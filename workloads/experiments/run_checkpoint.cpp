#include "workloads/experiments/run_checkpoint.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "workloads/io/file_names.h"

namespace accsim {

std::string checkpoint_path(const std::string& out_file) { return name_beside(out_file, ".checkpoint.h5"); }

void discard_checkpoint(const std::string& out_file) {
  std::error_code ignored;
  std::filesystem::remove(checkpoint_path(out_file), ignored);
}

std::string resume_key_text(const std::string& json_text, const std::vector<std::string>& ignored) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return json_text;
  for (const std::string& path : ignored) {
    nlohmann::json* parent = &j;
    std::string key = path;
    for (std::size_t dot; parent && (dot = key.find('.')) != std::string::npos; key = key.substr(dot + 1)) {
      const auto it = parent->find(key.substr(0, dot));
      parent = it != parent->end() && it->is_object() ? &*it : nullptr;
    }
    if (parent && parent->is_object()) parent->erase(key);
  }
  return j.dump(2);
}

const std::vector<std::string>& result_independent_keys() {
  static const std::vector<std::string> keys = {"training.threads",           "sweep.threads",
                                                "campaign.threads",           "pvf.threads",
                                                "campaign.checkpoint_seconds", "pvf.checkpoint_seconds",
                                                "train_campaign.threads",     "train_campaign.checkpoint_seconds"};
  return keys;
}

}  // namespace accsim
