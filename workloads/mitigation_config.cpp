#include "workloads/mitigation_config.h"

#include <algorithm>
#include <sstream>

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
  for (ConfigReader& v : r.get_object_array(key)) {
    MitigationVariant m;
    m.name = v.get_string("name");
    if (m.name.empty() || m.name == "unprotected")
      v.fail("name", "expected a non-empty name other than \"unprotected\" (the run without mitigation), got \"" +
                         m.name + "\"");
    for (const auto& other : out)
      if (other.name == m.name) v.fail("name", "\"" + m.name + "\" names two mitigations");
    m.mitigations = read_mitigations(v);
    v.finish();
    if (!m.mitigations.any()) v.fail("name", "mitigation \"" + m.name + "\" switches nothing on");
    out.push_back(m);
  }
  return out;
}

}  // namespace accsim
