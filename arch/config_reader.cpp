#include "arch/config_reader.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "arch/bounded_json.h"
#include "arch/input_file.h"
#include "arch/json_excerpt.h"

namespace accsim {

namespace {
std::string type_name(const nlohmann::json& j) { return j.type_name(); }
}  // namespace

ConfigReader::ConfigReader(const nlohmann::json& json, std::string file, std::string path)
    : json_(json), file_(std::move(file)), path_(std::move(path)) {
  if (!json_.is_object())
    throw InputError(file_ + ": " + (path_.empty() ? "top level" : path_) + ": expected a JSON object, got " +
                     type_name(json_));
}

nlohmann::json ConfigReader::load_file(const std::string& file) {
  return parse_bounded_json(read_regular_file(file, "a JSON config file", kMaxConfigBytes), file);
}

std::string ConfigReader::key_path(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void ConfigReader::fail(const std::string& key, const std::string& message) const {
  throw InputError(file_ + ": " + key_path(key) + ": " + message);
}

bool ConfigReader::has(const std::string& key) const {
  asked_.insert(key);
  return json_.contains(key);
}

const nlohmann::json& ConfigReader::require(const std::string& key, const std::string& expected) {
  asked_.insert(key);
  if (!json_.contains(key)) fail(key, "required key is missing" + (expected.empty() ? "" : " (expected " + expected + ")"));
  read_.insert(key);
  return json_.at(key);
}

std::int64_t ConfigReader::get_int(const std::string& key, std::int64_t lo, std::int64_t hi) {
  std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  const auto& v = require(key, "an integer in " + range);
  if (!v.is_number_integer()) fail(key, "expected an integer in " + range + ", got " + json_excerpt(v));
  std::int64_t x = v.get<std::int64_t>();
  if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
    fail(key, json_excerpt(v) + " is outside the allowed range " + range);
  if (x < lo || x > hi) fail(key, std::to_string(x) + " is outside the allowed range " + range);
  return x;
}

std::int64_t ConfigReader::get_int(const std::string& key, std::int64_t lo, std::int64_t hi,
                                   std::int64_t fallback) {
  return has(key) ? get_int(key, lo, hi) : fallback;
}

double ConfigReader::get_double(const std::string& key, double lo, double hi) {
  std::ostringstream range;
  range << "[" << lo << ", " << hi << "]";
  const auto& v = require(key, "a number in " + range.str());
  if (!v.is_number()) fail(key, "expected a number in " + range.str() + ", got " + json_excerpt(v));
  double x = v.get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) fail(key, json_excerpt(v) + " is outside the allowed range " + range.str());
  return x;
}

double ConfigReader::get_double(const std::string& key, double lo, double hi, double fallback) {
  return has(key) ? get_double(key, lo, hi) : fallback;
}

bool ConfigReader::get_bool(const std::string& key, bool fallback) {
  if (!has(key)) return fallback;
  const auto& v = require(key);
  if (!v.is_boolean()) fail(key, "expected true or false, got " + json_excerpt(v));
  return v.get<bool>();
}

std::string ConfigReader::get_string(const std::string& key) {
  const auto& v = require(key, "a string");
  if (!v.is_string()) fail(key, "expected a string, got " + json_excerpt(v));
  return v.get<std::string>();
}

std::string ConfigReader::get_string(const std::string& key, const std::string& fallback) {
  return has(key) ? get_string(key) : fallback;
}

std::string ConfigReader::get_choice(const std::string& key, const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  const auto& v = require(key, "one of {" + list + "}");
  if (!v.is_string()) fail(key, "expected one of {" + list + "}, got " + json_excerpt(v));
  std::string s = v.get<std::string>();
  for (const auto& a : allowed)
    if (s == a) return s;
  fail(key, quoted_excerpt(s) + " is not one of {" + list + "}");
}

std::string ConfigReader::get_choice(const std::string& key, const std::vector<std::string>& allowed,
                                     const std::string& fallback) {
  return has(key) ? get_choice(key, allowed) : fallback;
}

std::vector<std::int64_t> ConfigReader::get_int_array(const std::string& key, std::size_t length,
                                                      std::int64_t lo, std::int64_t hi) {
  std::string range = "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
  const auto& v = require(key, "an array of " + std::to_string(length) + " integers in " + range);
  if (!v.is_array() || v.size() != length)
    fail(key, "expected an array of " + std::to_string(length) + " integers, got " + json_excerpt(v));
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < length; ++i) {
    const auto& e = v[i];
    std::string where = key + "[" + std::to_string(i) + "]";
    if (!e.is_number_integer()) fail(where, "expected an integer in " + range + ", got " + json_excerpt(e));
    if (e.is_number_unsigned() && e.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
      fail(where, json_excerpt(e) + " is outside the allowed range " + range);
    std::int64_t x = e.get<std::int64_t>();
    if (x < lo || x > hi) fail(where, std::to_string(x) + " is outside the allowed range " + range);
    out.push_back(x);
  }
  return out;
}

ConfigReader ConfigReader::get_object(const std::string& key) {
  const auto& v = require(key, "a JSON object");
  if (!v.is_object()) fail(key, "expected a JSON object, got " + std::string(v.type_name()));
  return ConfigReader(v, file_, key_path(key));
}

std::vector<ConfigReader> ConfigReader::get_object_array(const std::string& key) {
  std::vector<ConfigReader> out;
  if (!has(key)) return out;
  const auto& v = require(key);
  if (!v.is_array()) fail(key, "expected an array of objects, got " + std::string(v.type_name()));
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string where = key_path(key) + "[" + std::to_string(i) + "]";
    if (!v[i].is_object()) throw InputError(file_ + ": " + where + ": expected a JSON object, got " + json_excerpt(v[i]));
    out.emplace_back(v[i], file_, where);
  }
  return out;
}

const nlohmann::json& ConfigReader::get_raw(const std::string& key, const std::string& expected) {
  return require(key, expected);
}

void ConfigReader::finish() const {
  for (auto it = json_.begin(); it != json_.end(); ++it)
    if (!read_.count(it.key())) {
      std::string known;
      for (const auto& k : asked_) known += (known.empty() ? "" : ", ") + k;
      fail(it.key(), "unknown key (allowed keys: " + known + ")");
    }
}

std::string config_relative_path(const std::string& config_file, const std::string& path) {
  const std::filesystem::path p(path);
  return p.is_absolute() ? path : (std::filesystem::path(config_file).parent_path() / p).string();
}

}  // namespace accsim
