#include "workloads/mitigations/mitigation_config.h"

#include <algorithm>
#include <sstream>

#include "arch/json_excerpt.h"
#include "faultmodels/parameter_fault_config.h"

namespace accsim {

std::string MitigationConfig::describe() const {
  std::vector<std::string> parts;
  if (clip.mode != ClipMode::none) {
    std::ostringstream s;
    s << "clip " << (clip.mode == ClipMode::saturate ? "saturate " : "zero ") << clip.threshold;
    parts.push_back(s.str());
  }
  if (check != MitigationCheck::none) parts.push_back(check == MitigationCheck::abft ? "abft" : "duplicate");
  if (prune_faulty_weights) parts.push_back("prune faulty weights");
  if (!protect_bits.empty()) {
    std::string bits;
    for (int b : protect_bits) bits += (bits.empty() ? "" : ",") + std::to_string(b);
    parts.push_back("protect bits " + bits);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " + ") + p;
  return out.empty() ? "none" : out;
}

MitigationConfig parse_mitigations(ConfigReader m) {
  const MitigationConfig c = read_mitigations(m);
  m.finish();
  return c;
}

MitigationConfig read_mitigations(ConfigReader& m) {
  MitigationConfig c;
  if (m.has("activation_clip")) {
    ConfigReader r = m.get_object("activation_clip");
    const std::string mode = r.get_choice("mode", {"none", "saturate", "zero"});
    c.clip.mode = mode == "saturate" ? ClipMode::saturate : mode == "zero" ? ClipMode::zero : ClipMode::none;
    c.clip.threshold = static_cast<float>(r.get_double("threshold", 1e-6, 1e30, 6.0));
    r.finish();
  }
  c.prune_faulty_weights = m.get_bool("prune_faulty_weights", false);
  const std::string check = m.get_choice("check", {"none", "abft", "duplicate"}, "none");
  c.check = check == "abft" ? MitigationCheck::abft : check == "duplicate" ? MitigationCheck::duplicate : MitigationCheck::none;
  c.protect_bits = parse_bit_positions(m, "protect_bits", {});
  std::sort(c.protect_bits.rbegin(), c.protect_bits.rend());
  return c;
}

std::vector<MitigationVariant> parse_mitigation_variants(ConfigReader& r, const std::string& key) {
  std::vector<MitigationVariant> out;
  if (!r.has(key)) return out;
  const std::string expected = "a non-empty array of mitigation variants ({\"name\": ..., mitigation keys})";
  const nlohmann::json& v = r.get_raw(key, expected);
  if (!v.is_array() || v.empty()) r.fail(key, "expected " + expected + ", got " + json_excerpt(v));
  std::vector<ConfigReader> items = r.get_object_array(key);
  for (std::size_t i = 0; i < items.size(); ++i) {
    ConfigReader& item = items[i];
    MitigationVariant variant;
    if (!item.has("name")) item.fail("name", "required key is missing (expected a unique, non-empty variant name)");
    const nlohmann::json& name = item.get_raw("name", "a variant name");
    if (!name.is_string() || name.get<std::string>().empty())
      item.fail("name", "expected a non-empty string, got " + json_excerpt(name));
    variant.name = name.get<std::string>();
    if (variant.name.find_first_of(" \t\n|") != std::string::npos)
      item.fail("name", quoted_excerpt(variant.name) + " holds a blank or '|': names are table and HDF5 labels");
    if (variant.name == "unprotected")
      item.fail("name", "\"unprotected\" names the run without mitigation; choose another name");
    for (std::size_t j = 0; j < out.size(); ++j)
      if (out[j].name == variant.name)
        item.fail("name", quoted_excerpt(variant.name) + " is already the name of " + key + "[" + std::to_string(j) + "]");
    variant.mitigations = read_mitigations(item);
    item.finish();
    if (!variant.mitigations.any())
      r.fail(key + "[" + std::to_string(i) + "]", "variant \"" + variant.name +
                                                    "\" mitigates nothing: give activation_clip (mode saturate or zero), "
                                                    "protect_bits, check (abft or duplicate) or prune_faulty_weights: true");
    out.push_back(std::move(variant));
  }
  return out;
}

}  // namespace accsim
