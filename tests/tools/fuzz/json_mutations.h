#pragma once
// Mutations of a JSON config as a hostile or careless user makes them: bytes flipped, the
// text cut short, keys deleted or given twice, values of another type, numbers out of any
// range (beyond a double too), nesting far too deep, huge or odd strings, NUL bytes.
// Each returns the mutated text and says what it did (for the failure message).
#include <nlohmann/json.hpp>

#include <random>
#include <string>
#include <vector>

namespace accsim::fuzz {

using nlohmann::json;
using Rng = std::mt19937_64;

struct Mutated {
  std::string text;
  std::string what;
};

inline std::size_t pick(Rng& rng, std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }

template <class T>
const T& pick_of(Rng& rng, const std::vector<T>& v) {
  return v[pick(rng, v.size())];
}

// Every value's pointer in `j` (the root excluded), parents before children.
inline std::vector<json::json_pointer> value_paths(const json& j, const json::json_pointer& at = json::json_pointer()) {
  std::vector<json::json_pointer> all;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const auto p = at / it.key();
      all.push_back(p);
      for (const auto& q : value_paths(*it, p)) all.push_back(q);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      const auto p = at / i;
      all.push_back(p);
      for (const auto& q : value_paths(j[i], p)) all.push_back(q);
    }
  }
  return all;
}

// The members (their pointers) of every object in `j`.
inline std::vector<json::json_pointer> member_paths(const json& j) {
  std::vector<json::json_pointer> members;
  for (const auto& p : value_paths(j))
    if (j.at(p.parent_pointer()).is_object()) members.push_back(p);
  return members;
}

constexpr const char* kMarker = "\"@@fuzz@@\"";

// `j` as text with the value at `p` replaced by the raw text `raw` (which need not be JSON
// nlohmann could hold: 1e400, a duplicate member).
inline std::string with_raw_value(json j, const json::json_pointer& p, const std::string& raw) {
  j[p] = "@@fuzz@@";
  std::string text = j.dump(1);
  text.replace(text.find(kMarker), std::string(kMarker).size(), raw);
  return text;
}

inline Mutated flip_bytes(const std::string& text, Rng& rng) {
  std::string t = text;
  const std::string specials = "{}[]\":,0123456789-+.eE \n\\\x00\x7f\xff";
  std::string what = "bytes";
  for (std::size_t n = 1 + pick(rng, 4); n > 0; --n) {
    const std::size_t at = pick(rng, t.size());
    const char c = pick(rng, 2) ? specials[pick(rng, specials.size())] : static_cast<char>(pick(rng, 256));
    t[at] = c;
    what += " [" + std::to_string(at) + "]=" + std::to_string(static_cast<unsigned char>(c));
  }
  return {t, what + " set"};
}

inline Mutated truncate_text(const std::string& text, Rng& rng) {
  const std::size_t n = pick(rng, text.size());
  return {text.substr(0, n), "cut to its first " + std::to_string(n) + " bytes"};
}

inline Mutated delete_key(const json& j, Rng& rng) {
  const auto members = member_paths(j);
  const auto p = pick_of(rng, members);
  json m = j;
  m[p.parent_pointer()].erase(p.back());
  return {m.dump(1), "key " + p.to_string() + " deleted"};
}

inline Mutated duplicate_key(const json& j, Rng& rng) {
  const auto p = pick_of(rng, member_paths(j));
  const std::string value = j[p].dump();
  const std::string other = pick(rng, 2) ? value : json(1).dump();
  const std::string raw = value + ", " + json(p.back()).dump() + ": " + other;
  return {with_raw_value(j, p, raw), "key " + p.to_string() + " given twice (" + other.substr(0, 40) + ")"};
}

inline const std::vector<std::string>& other_values() {
  static const std::vector<std::string> values = {
      "\"x\"", "\"\"", "1", "0", "-1", "true", "false", "null", "[]", "{}", "[1, 2]", "{\"a\": 1}", "[[]]", "\"lenet5\""};
  return values;
}

inline Mutated swap_type(const json& j, Rng& rng) {
  const auto p = pick_of(rng, value_paths(j));
  const std::string raw = pick_of(rng, other_values());
  return {with_raw_value(j, p, raw), p.to_string() + " = " + raw};
}

// Numbers outside every key's range (in-range large counts are left out: they are legal
// and only slow).
inline const std::vector<std::string>& hostile_numbers() {
  static const std::vector<std::string> numbers = {
      "-1", "0", "0.5", "-0.0", "1e400", "-1e400", "1.7976931348623157e308", "2.2250738585072014e-308", "1e-400",
      "9223372036854775807", "9223372036854775808", "18446744073709551616", "-9223372036854775809",
      "123456789012345678901234567890", "1e20", "-2147483649", "4.5", "NaN", "Infinity", "1e", "0x10", "01"};
  return numbers;
}

inline Mutated hostile_number(const json& j, Rng& rng) {
  std::vector<json::json_pointer> numbers;
  for (const auto& p : value_paths(j))
    if (j[p].is_number()) numbers.push_back(p);
  const auto p = numbers.empty() ? pick_of(rng, value_paths(j)) : pick_of(rng, numbers);
  const std::string raw = pick_of(rng, hostile_numbers());
  return {with_raw_value(j, p, raw), p.to_string() + " = " + raw};
}

inline Mutated deep_nesting(const json& j, Rng& rng) {
  const auto p = pick_of(rng, value_paths(j));
  static const std::vector<std::size_t> depths = {63, 64, 65, 1000, 100000};
  const std::size_t depth = pick_of(rng, depths);
  const bool arrays = pick(rng, 2);
  std::string raw;
  if (arrays) {
    raw = std::string(depth, '[') + std::string(depth, ']');
  } else {
    for (std::size_t i = 0; i < depth; ++i) raw += "{\"a\":";
    raw += "1" + std::string(depth, '}');
  }
  return {with_raw_value(j, p, raw), p.to_string() + " = " + (arrays ? "arrays" : "objects") + " nested " +
                                         std::to_string(depth) + " deep"};
}

inline Mutated odd_string(const json& j, Rng& rng) {
  const auto p = pick_of(rng, value_paths(j));
  static const std::vector<std::pair<std::string, std::string>> strings = {
      {"\"" + std::string(5000, 'a') + "\"", "a 5000-byte string"},
      {"\"" + std::string(1 << 20, 'b') + "\"", "a 1 MiB string"},
      {"\"line one\\nline two\\r\\t\"", "a string with a newline"},
      {"\"\\u0000lenet5\"", "a string with an escaped NUL"},
      {"\"\xff\xfe\xc3\x28\"", "a string of invalid UTF-8"},
      {"\"/dev/zero\"", "/dev/zero"},
      {"\"/proc/self/mem\"", "/proc/self/mem"},
      {"\".\"", "the directory ."},
      {"\"../../../../../../../../etc/passwd\"", "/etc/passwd"},
      {"\"\\ud800\"", "a lone surrogate"}};
  const auto& [raw, what] = pick_of(rng, strings);
  return {with_raw_value(j, p, raw), p.to_string() + " = " + what};
}

inline Mutated drop_or_repeat_element(const json& j, Rng& rng) {
  std::vector<json::json_pointer> arrays;
  for (const auto& p : value_paths(j))
    if (j[p].is_array() && !j[p].empty()) arrays.push_back(p);
  if (arrays.empty()) return delete_key(j, rng);
  const auto p = pick_of(rng, arrays);
  json m = j;
  json& a = m[p];
  const std::size_t i = pick(rng, a.size());
  const int how = static_cast<int>(pick(rng, 3));
  if (how == 0) a.erase(i);
  if (how == 1) a.push_back(a[i]);
  if (how == 2) a = json::array();
  static const char* names[] = {"element dropped", "element repeated", "emptied"};
  return {m.dump(1), p.to_string() + ": " + names[how]};
}

inline Mutated unknown_key_or_nul(const json& j, Rng& rng) {
  if (pick(rng, 2)) {
    const std::string text = j.dump(1);
    const std::size_t at = pick(rng, text.size() + 1);
    return {text.substr(0, at) + std::string(1, '\0') + text.substr(at), "a NUL byte at " + std::to_string(at)};
  }
  std::vector<json::json_pointer> objects = {json::json_pointer()};
  for (const auto& p : value_paths(j))
    if (j[p].is_object()) objects.push_back(p);
  const auto p = pick_of(rng, objects);
  json m = j;
  m[p]["fuzz_unknown"] = 1;
  return {m.dump(1), "unknown key " + p.to_string() + "/fuzz_unknown"};
}

using JsonMutation = Mutated (*)(const json&, const std::string&, Rng&);

// The mutations, by name; each takes the parsed config and its text.
inline const std::vector<std::pair<std::string, JsonMutation>>& json_mutations() {
  static const std::vector<std::pair<std::string, JsonMutation>> all = {
      {"flip", [](const json&, const std::string& t, Rng& r) { return flip_bytes(t, r); }},
      {"truncate", [](const json&, const std::string& t, Rng& r) { return truncate_text(t, r); }},
      {"delete", [](const json& j, const std::string&, Rng& r) { return delete_key(j, r); }},
      {"duplicate", [](const json& j, const std::string&, Rng& r) { return duplicate_key(j, r); }},
      {"type", [](const json& j, const std::string&, Rng& r) { return swap_type(j, r); }},
      {"number", [](const json& j, const std::string&, Rng& r) { return hostile_number(j, r); }},
      {"nesting", [](const json& j, const std::string&, Rng& r) { return deep_nesting(j, r); }},
      {"string", [](const json& j, const std::string&, Rng& r) { return odd_string(j, r); }},
      {"array", [](const json& j, const std::string&, Rng& r) { return drop_or_repeat_element(j, r); }},
      {"extra", [](const json& j, const std::string&, Rng& r) { return unknown_key_or_nul(j, r); }},
  };
  return all;
}

}  // namespace accsim::fuzz
