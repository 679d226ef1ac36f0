#pragma once
// Reads one JSON object of a config file and reports every problem with the file name,
// the JSON path of the key and the allowed range. Keys that were never read are
// rejected by finish(), so a typo never silently falls back to a default.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "arch/input_error.h"

namespace accsim {

class ConfigReader {
 public:
  // `json` must outlive the reader. `path` is the JSON path of this object, e.g. "array".
  ConfigReader(const nlohmann::json& json, std::string file, std::string path);

  // Reads and parses a JSON file; a missing file or malformed JSON is an InputError.
  static nlohmann::json load_file(const std::string& file);

  bool has(const std::string& key) const;
  std::int64_t get_int(const std::string& key, std::int64_t lo, std::int64_t hi);
  std::int64_t get_int(const std::string& key, std::int64_t lo, std::int64_t hi, std::int64_t fallback);
  double get_double(const std::string& key, double lo, double hi);
  double get_double(const std::string& key, double lo, double hi, double fallback);
  bool get_bool(const std::string& key, bool fallback);
  std::string get_string(const std::string& key);
  std::string get_string(const std::string& key, const std::string& fallback);
  // A string that must be one of `allowed`.
  std::string get_choice(const std::string& key, const std::vector<std::string>& allowed);
  std::string get_choice(const std::string& key, const std::vector<std::string>& allowed,
                         const std::string& fallback);
  // An array of integers of the given length, each within [lo, hi].
  std::vector<std::int64_t> get_int_array(const std::string& key, std::size_t length, std::int64_t lo,
                                          std::int64_t hi);
  ConfigReader get_object(const std::string& key);
  // Elements of an array of objects (empty if the key is absent).
  std::vector<ConfigReader> get_object_array(const std::string& key);
  // The raw JSON of a key, marked as read (for blocks parsed elsewhere).
  const nlohmann::json& get_raw(const std::string& key, const std::string& expected);

  // Throws for the first key of this object that no getter asked for.
  void finish() const;

  // "file: path.key: message": the one format of every config error.
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;
  std::string key_path(const std::string& key) const;
  const std::string& file() const { return file_; }

 private:
  const nlohmann::json& require(const std::string& key, const std::string& expected = "");
  const nlohmann::json& json_;
  std::string file_;
  std::string path_;
  std::set<std::string> read_;
  mutable std::set<std::string> asked_;  // every key a getter looked for, for the error message
};

// A path written in a config: relative ones are read from the config file's folder.
std::string config_relative_path(const std::string& config_file, const std::string& path);

}  // namespace accsim
