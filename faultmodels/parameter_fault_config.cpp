#include "faultmodels/parameter_fault_config.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "arch/json_excerpt.h"
#include "faultmodels/parameter_injection.h"

namespace accsim {

namespace {

ParameterKind parse_kind(ConfigReader& r, const std::string& key, ParameterKind fallback) {
  if (!r.has(key)) return fallback;
  const std::string k = r.get_choice(key, {"weight", "bias", "any"});
  return k == "weight" ? ParameterKind::weight : k == "bias" ? ParameterKind::bias : ParameterKind::any;
}

std::string format(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// One value or a non-empty list of them (`one`: "a number in [0, 1]", `many`: "numbers in
// [0, 1]"), each checked by `check(json, key)`, which fails naming its key.
template <class T, class Check>
std::vector<T> parse_list(ConfigReader& r, const std::string& key, const std::string& one, const std::string& many,
                          Check check) {
  const nlohmann::json& v = r.get_raw(key, one + " or a list of them");
  std::vector<T> out;
  if (!v.is_array()) {
    out.push_back(check(v, key));
    return out;
  }
  if (v.empty()) r.fail(key, "expected a non-empty list of " + many);
  for (std::size_t i = 0; i < v.size(); ++i) out.push_back(check(v[i], key + "[" + std::to_string(i) + "]"));
  return out;
}

// A number or a non-empty array of numbers, each in the range: (lo, hi] when lo_open, else [lo, hi].
std::vector<double> parse_numbers(ConfigReader& r, const std::string& key, double lo, double hi, bool lo_open) {
  const std::string range = (lo_open ? "(" : "[") + format(lo) + ", " + format(hi) + "]";
  return parse_list<double>(r, key, "a number in " + range, "numbers in " + range,
                            [&](const nlohmann::json& e, const std::string& where) {
                              if (!e.is_number()) r.fail(where, "expected a number in " + range + ", got " + json_excerpt(e));
                              const double x = e.get<double>();
                              if (!std::isfinite(x) || x > hi || x < lo || (lo_open && x == lo))
                                r.fail(where, json_excerpt(e) + " is outside the allowed range " + range);
                              return x;
                            });
}

std::vector<std::uint64_t> parse_counts(ConfigReader& r, const std::string& key) {
  constexpr long long kMax = 1LL << 40;
  const std::string range = "[1, " + std::to_string(kMax) + "]";
  return parse_list<std::uint64_t>(
      r, key, "an integer in " + range, "integers in " + range, [&](const nlohmann::json& e, const std::string& where) {
        if (!e.is_number_integer()) r.fail(where, "expected an integer in " + range + ", got " + json_excerpt(e));
        if (e.is_number_unsigned() ? e.get<unsigned long long>() > static_cast<unsigned long long>(kMax)
                                   : (e.get<long long>() < 1 || e.get<long long>() > kMax))
          r.fail(where, json_excerpt(e) + " is outside the allowed range " + range);
        return static_cast<std::uint64_t>(e.get<long long>());
      });
}

void reject(ConfigReader& r, const std::string& key, const std::string& model) {
  if (r.has(key)) r.fail(key, "not used by the \"" + model + "\" model");
}

}  // namespace

std::vector<int> parse_bit_positions(ConfigReader& r, const std::string& key, const std::vector<int>& fallback) {
  if (!r.has(key)) return fallback;
  const nlohmann::json& v = r.get_raw(key, "an array of distinct bit positions in [0, 31]");
  if (!v.is_array() || v.empty()) r.fail(key, "expected a non-empty array of distinct bit positions in [0, 31], got " + json_excerpt(v));
  std::vector<int> bits;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string where = key + "[" + std::to_string(i) + "]";
    if (!v[i].is_number_integer()) r.fail(where, "expected an integer in [0, 31], got " + json_excerpt(v[i]));
    const long long b = v[i].get<long long>();
    if (v[i].is_number_unsigned() ? v[i].get<unsigned long long>() > 31 : (b < 0 || b > 31))
      r.fail(where, json_excerpt(v[i]) + " is outside the allowed range [0, 31]");
    if (std::find(bits.begin(), bits.end(), static_cast<int>(b)) != bits.end())
      r.fail(where, "bit " + std::to_string(b) + " is listed twice");
    bits.push_back(static_cast<int>(b));
  }
  return bits;
}

namespace {

// The value model's optional "range": [lo, hi], finite fp32 numbers, lo <= hi.
void parse_value_range(ConfigReader& r, ParameterFaultModel& base) {
  if (!r.has("range")) return;
  const nlohmann::json& v = r.get_raw("range", "[lo, hi]");
  if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
    r.fail("range", "expected [lo, hi] with finite numbers lo <= hi, got " + json_excerpt(v));
  const double lo = v[0].get<double>(), hi = v[1].get<double>();
  constexpr double kFloatMax = 3.4028234663852886e38;
  if (!(std::isfinite(lo) && std::isfinite(hi) && lo <= hi && std::fabs(lo) <= kFloatMax && std::fabs(hi) <= kFloatMax))
    r.fail("range", "expected [lo, hi] with finite fp32 numbers lo <= hi, got " + json_excerpt(v));
  base.value_lo = static_cast<float>(lo);
  base.value_hi = static_cast<float>(hi);
}

// The model's own keys: what each kind takes, and the keys it does not use refused.
struct ModelKeys {
  std::vector<double> rates;
  std::vector<std::uint64_t> counts;
};
ModelKeys parse_model_keys(ConfigReader& r, const std::string& kind_name, ParameterFaultModel& base) {
  ModelKeys k;
  switch (base.kind) {
    case ParameterFaultKind::sbf:
      for (const char* key : {"rate", "count", "burst_length", "range"}) reject(r, key, kind_name);
      break;
    case ParameterFaultKind::mbf:
    case ParameterFaultKind::mbbf:
      for (const char* key : {"rate", "range"}) reject(r, key, kind_name);
      k.counts = parse_counts(r, "count");
      if (base.kind == ParameterFaultKind::mbbf)
        base.burst_length = static_cast<int>(r.get_int("burst_length", 2, 32, 2));
      else
        reject(r, "burst_length", kind_name);
      break;
    case ParameterFaultKind::ber:
      for (const char* key : {"count", "burst_length", "range"}) reject(r, key, kind_name);
      k.rates = parse_numbers(r, "rate", 0.0, 1.0, true);
      break;
    case ParameterFaultKind::value:
      reject(r, "burst_length", kind_name);
      if (r.has("rate") == r.has("count"))
        r.fail("rate", "the value model needs exactly one of rate (per element) and count");
      if (r.has("rate")) k.rates = parse_numbers(r, "rate", 0.0, 1.0, true);
      if (r.has("count")) k.counts = parse_counts(r, "count");
      parse_value_range(r, base);
      break;
  }
  return k;
}

// The model, or one per value of the swept rate or count.
void parse_models(ConfigReader& r, ParameterFaultsConfig& c) {
  const std::string kind_name = r.get_choice("model", [] {
    std::vector<std::string> v;
    for (const char* const* n = parameter_fault_kind_names(); *n; ++n) v.push_back(*n);
    return v;
  }());
  ParameterFaultModel base;
  base.kind = parse_parameter_fault_kind(kind_name);
  const ModelKeys k = parse_model_keys(r, kind_name, base);
  c.swept = k.rates.size() > 1 ? "rate" : k.counts.size() > 1 ? "count" : "";
  for (double p : k.rates) {
    c.models.push_back(base);
    c.models.back().rate = p;
  }
  for (std::uint64_t n : k.counts) {
    c.models.push_back(base);
    c.models.back().count = n;
  }
  if (c.models.empty()) c.models.push_back(base);
}

// A target object: {"tensors": [...], "name", "parameter", "bits"}.
ParameterTarget parse_target_object(ConfigReader tr, const ParameterTarget& defaults) {
  ParameterTarget t = defaults;
  const nlohmann::json& sel = tr.get_raw("tensors", "a non-empty array of tensor selectors");
  if (!sel.is_array() || sel.empty())
    tr.fail("tensors", "expected a non-empty array of tensor selectors (names, prefixes or \"all\"), got " + json_excerpt(sel));
  t.tensors.clear();
  for (std::size_t j = 0; j < sel.size(); ++j) {
    if (!sel[j].is_string() || sel[j].get<std::string>().empty())
      tr.fail("tensors[" + std::to_string(j) + "]", "expected a non-empty string, got " + json_excerpt(sel[j]));
    t.tensors.push_back(sel[j].get<std::string>());
  }
  std::string joined;
  for (const auto& s : t.tensors) joined += (joined.empty() ? "" : "+") + s;
  t.name = tr.get_string("name", joined);
  t.parameter = parse_kind(tr, "parameter", defaults.parameter);
  t.bits = parse_bit_positions(tr, "bits", defaults.bits);
  tr.finish();
  return t;
}

// "targets": selector strings or target objects, names distinct; absent: one target of
// the block's defaults.
void parse_targets(ConfigReader& r, ParameterFaultsConfig& c) {
  ParameterTarget defaults;
  defaults.parameter = parse_kind(r, "parameter", ParameterKind::any);
  defaults.bits = parse_bit_positions(r, "bits", {});
  if (!r.has("targets")) {
    c.targets.push_back(defaults);
    c.target_paths.push_back(c.path);
    return;
  }
  const std::string targets_path = r.key_path("targets");
  const nlohmann::json& v = r.get_raw("targets", "a non-empty array of targets");
  if (!v.is_array() || v.empty())
    r.fail("targets", "expected a non-empty array of tensor selectors or target objects, got " + json_excerpt(v));
  std::set<std::string> names;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string where = targets_path + "[" + std::to_string(i) + "]";
    ParameterTarget t = defaults;
    if (v[i].is_string()) {
      t.name = v[i].get<std::string>();
      t.tensors = {t.name};
      if (t.name.empty()) throw InputError(c.file + ": " + where + ": empty tensor selector");
    } else if (v[i].is_object()) {
      t = parse_target_object(ConfigReader(v[i], c.file, where), defaults);
    } else {
      throw InputError(c.file + ": " + where + ": expected a tensor selector string or a target object, got " +
                       json_excerpt(v[i]));
    }
    if (!names.insert(t.name).second)
      throw InputError(c.file + ": " + where + ": target name \"" + t.name + "\" is used twice");
    c.targets.push_back(t);
    c.target_paths.push_back(where);
  }
}

}  // namespace

ParameterFaultsConfig parse_parameter_faults(ConfigReader r) {
  ParameterFaultsConfig c;
  c.file = r.file();
  c.path = r.key_path("");
  if (!c.path.empty() && c.path.back() == '.') c.path.pop_back();
  parse_models(r, c);
  parse_targets(r, c);
  r.finish();
  return c;
}

std::vector<ResolvedTarget> resolve_parameter_faults(const ParameterFaultsConfig& c, const ParameterSet& set) {
  std::vector<ResolvedTarget> out;
  for (std::size_t i = 0; i < c.targets.size(); ++i) {
    try {
      out.push_back(resolve(c.targets[i], set));
    } catch (const std::invalid_argument& e) {
      throw InputError(c.file + ": " + c.target_paths[i] + ": " + e.what());
    }
    for (const auto& m : c.models) {
      try {
        check_model_fits(m, out.back());
      } catch (const std::invalid_argument& e) {
        throw InputError(c.file + ": " + c.target_paths[i] + ": target \"" + c.targets[i].name + "\" (" +
                         std::to_string(out.back().elements()) + " elements): " + e.what());
      }
    }
  }
  return out;
}

}  // namespace accsim
