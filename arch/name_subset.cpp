#include "arch/name_subset.h"

#include <algorithm>

#include "arch/json_excerpt.h"

namespace accsim {

namespace {

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return "{" + s + "}";
}

}  // namespace

std::vector<std::string> read_name_subset(ConfigReader& r, const std::string& key, const std::vector<std::string>& allowed) {
  if (!r.has(key)) return allowed;
  const std::string expected = "a non-empty array of distinct names from " + joined(allowed);
  const nlohmann::json& v = r.get_raw(key, expected);
  if (!v.is_array() || v.empty()) r.fail(key, "expected " + expected + ", got " + json_excerpt(v));
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string where = key + "[" + std::to_string(i) + "]";
    if (!v[i].is_string()) r.fail(where, "expected one of " + joined(allowed) + ", got " + json_excerpt(v[i]));
    const std::string name = v[i].get<std::string>();
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
      r.fail(where, quoted_excerpt(name) + " is not one of " + joined(allowed));
    if (std::find(out.begin(), out.end(), name) != out.end()) r.fail(where, quoted_excerpt(name) + " is listed twice");
    out.push_back(name);
  }
  return out;
}

}  // namespace accsim
