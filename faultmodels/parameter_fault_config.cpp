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

// A number or a non-empty array of numbers, each in the range: (lo, hi] when lo_open, else [lo, hi].
std::vector<double> parse_numbers(ConfigReader& r, const std::string& key, double lo, double hi, bool lo_open) {
  const std::string range = (lo_open ? "(" : "[") + format(lo) + ", " + format(hi) + "]";
  const nlohmann::json& v = r.get_raw(key, "a number in " + range + " or a list of them");
  const auto check = [&](const nlohmann::json& e, const std::string& where) {
    if (!e.is_number()) r.fail(where, "expected a number in " + range + ", got " + json_excerpt(e));
    const double x = e.get<double>();
    if (!std::isfinite(x) || x > hi || x < lo || (lo_open && x == lo))
      r.fail(where, json_excerpt(e) + " is outside the allowed range " + range);
    return x;
  };
  std::vector<double> out;
  if (v.is_array()) {
    if (v.empty()) r.fail(key, "expected a non-empty list of numbers in " + range);
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(check(v[i], key + "[" + std::to_string(i) + "]"));
  } else {
    out.push_back(check(v, key));
  }
  return out;
}

std::vector<std::uint64_t> parse_counts(ConfigReader& r, const std::string& key) {
  constexpr long long kMax = 1LL << 40;
  const std::string range = "[1, " + std::to_string(kMax) + "]";
  const nlohmann::json& v = r.get_raw(key, "an integer in " + range + " or a list of them");
  const auto check = [&](const nlohmann::json& e, const std::string& where) {
    if (!e.is_number_integer()) r.fail(where, "expected an integer in " + range + ", got " + json_excerpt(e));
    if (e.is_number_unsigned() ? e.get<unsigned long long>() > static_cast<unsigned long long>(kMax)
                               : (e.get<long long>() < 1 || e.get<long long>() > kMax))
      r.fail(where, json_excerpt(e) + " is outside the allowed range " + range);
    return static_cast<std::uint64_t>(e.get<long long>());
  };
  std::vector<std::uint64_t> out;
  if (v.is_array()) {
    if (v.empty()) r.fail(key, "expected a non-empty list of integers in " + range);
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(check(v[i], key + "[" + std::to_string(i) + "]"));
  } else {
    out.push_back(check(v, key));
  }
  return out;
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

ParameterFaultsConfig parse_parameter_faults(ConfigReader r) {
  ParameterFaultsConfig c;
  c.file = r.file();
  c.path = r.key_path("");
  if (!c.path.empty() && c.path.back() == '.') c.path.pop_back();
  const std::string kind_name = r.get_choice("model", [] {
    std::vector<std::string> v;
    for (const char* const* n = parameter_fault_kind_names(); *n; ++n) v.push_back(*n);
    return v;
  }());
  ParameterFaultModel base;
  base.kind = parse_parameter_fault_kind(kind_name);
  std::vector<double> rates;
  std::vector<std::uint64_t> counts;
  switch (base.kind) {
    case ParameterFaultKind::sbf:
      for (const char* k : {"rate", "count", "burst_length", "range"}) reject(r, k, kind_name);
      break;
    case ParameterFaultKind::mbf:
    case ParameterFaultKind::mbbf:
      for (const char* k : {"rate", "range"}) reject(r, k, kind_name);
      counts = parse_counts(r, "count");
      if (base.kind == ParameterFaultKind::mbbf)
        base.burst_length = static_cast<int>(r.get_int("burst_length", 2, 32, 2));
      else
        reject(r, "burst_length", kind_name);
      break;
    case ParameterFaultKind::ber:
      for (const char* k : {"count", "burst_length", "range"}) reject(r, k, kind_name);
      rates = parse_numbers(r, "rate", 0.0, 1.0, true);
      break;
    case ParameterFaultKind::value: {
      reject(r, "burst_length", kind_name);
      const bool has_rate = r.has("rate"), has_count = r.has("count");
      if (has_rate == has_count) r.fail("rate", "the value model needs exactly one of rate (per element) and count");
      if (has_rate) rates = parse_numbers(r, "rate", 0.0, 1.0, true);
      if (has_count) counts = parse_counts(r, "count");
      if (r.has("range")) {
        const nlohmann::json& v = r.get_raw("range", "[lo, hi]");
        if (!v.is_array() || v.size() != 2 || !v[0].is_number() || !v[1].is_number())
          r.fail("range", "expected [lo, hi] with finite numbers lo <= hi, got " + json_excerpt(v));
        const double lo = v[0].get<double>(), hi = v[1].get<double>();
        constexpr double kFloatMax = 3.4028234663852886e38;
        if (!(std::isfinite(lo) && std::isfinite(hi) && lo <= hi && std::fabs(lo) <= kFloatMax &&
              std::fabs(hi) <= kFloatMax))
          r.fail("range", "expected [lo, hi] with finite fp32 numbers lo <= hi, got " + json_excerpt(v));
        base.value_lo = static_cast<float>(lo);
        base.value_hi = static_cast<float>(hi);
      }
      break;
    }
  }
  if (!rates.empty()) {
    c.swept = rates.size() > 1 ? "rate" : "";
    for (double p : rates) {
      ParameterFaultModel m = base;
      m.rate = p;
      c.models.push_back(m);
    }
  } else if (!counts.empty()) {
    c.swept = counts.size() > 1 ? "count" : "";
    for (std::uint64_t n : counts) {
      ParameterFaultModel m = base;
      m.count = n;
      c.models.push_back(m);
    }
  } else {
    c.models.push_back(base);
  }

  const ParameterKind default_kind = parse_kind(r, "parameter", ParameterKind::any);
  const std::vector<int> default_bits = parse_bit_positions(r, "bits", {});
  const std::string targets_path = r.key_path("targets");
  if (!r.has("targets")) {
    ParameterTarget t;
    t.parameter = default_kind;
    t.bits = default_bits;
    c.targets.push_back(t);
    c.target_paths.push_back(c.path);
  } else {
    const nlohmann::json& v = r.get_raw("targets", "a non-empty array of targets");
    if (!v.is_array() || v.empty())
      r.fail("targets", "expected a non-empty array of tensor selectors or target objects, got " + json_excerpt(v));
    std::set<std::string> names;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string where = targets_path + "[" + std::to_string(i) + "]";
      ParameterTarget t;
      t.parameter = default_kind;
      t.bits = default_bits;
      if (v[i].is_string()) {
        t.name = v[i].get<std::string>();
        t.tensors = {t.name};
        if (t.name.empty()) throw InputError(c.file + ": " + where + ": empty tensor selector");
      } else if (v[i].is_object()) {
        ConfigReader tr(v[i], c.file, where);
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
        t.parameter = parse_kind(tr, "parameter", default_kind);
        t.bits = parse_bit_positions(tr, "bits", default_bits);
        tr.finish();
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
