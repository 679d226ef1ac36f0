#include "workloads/campaign/campaign_config.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "arch/json_excerpt.h"
#include "arch/name_subset.h"

namespace accsim {

std::string read_model_path(ConfigReader& r, const std::string& config_file, const std::string& key) {
  namespace fs = std::filesystem;
  if (!r.has(key)) return "";
  const std::string written = r.get_string(key);
  if (written.empty()) r.fail(key, "expected the path of a parameter file, got an empty string");
  const fs::path p = config_relative_path(config_file, written);
  std::error_code ec;
  if (!fs::is_regular_file(p, ec))
    r.fail(key, "parameter file '" + p.string() + "' does not exist (a relative path is read from the config's folder)");
  return p.string();
}

namespace {

// `sites`: PE sites (fault_site_names) or memory sites (cbuf, dram), not both.
void read_campaign_sites(ConfigReader& r, CampaignConfig& c) {
  std::vector<std::string> allowed = fault_site_names();
  const std::vector<std::string>& memory = memory_structure_names();
  allowed.insert(allowed.end(), memory.begin(), memory.end());
  if (!r.has("sites")) {
    for (const auto& s : fault_site_names()) c.sites.push_back(parse_fault_site(s));
    return;
  }
  for (const auto& s : read_name_subset(r, "sites", allowed)) {
    if (std::find(memory.begin(), memory.end(), s) != memory.end()) c.memory_sites.push_back(parse_memory_structure(s));
    else c.sites.push_back(parse_fault_site(s));
  }
  if (!c.sites.empty() && !c.memory_sites.empty())
    r.fail("sites", "memory sites (cbuf, dram) and PE sites (weight, input, product, psum, accumulator) cannot be "
                    "mixed in one campaign: run them as two campaigns");
}

}  // namespace

CampaignConfig parse_campaign_config(ConfigReader r, const ArrayConfig& array, const std::string& config_file) {
  CampaignConfig c;
  c.model = read_model_path(r, config_file);
  c.experiments = r.get_int("experiments", 1, 100000000);
  c.test_offset = static_cast<int>(r.get_int("test_offset", 0, kCampaignTestImages - 1, 0));
  c.test_limit = static_cast<int>(r.get_int("test_limit", 1, kCampaignTestImages - c.test_offset, 100));
  c.batch = static_cast<int>(r.get_int("batch", 1, kCampaignTestImages, 16));
  read_campaign_sites(r, c);
  for (const auto& k : read_name_subset(r, "kinds", fault_kind_names())) c.kinds.push_back(parse_fault_kind(k));
  const int top_bit = bit_width(array.datatype) - 1;
  if (!c.memory_sites.empty() && r.has("bits"))
    r.fail("bits", "applies to PE sites only; a memory fault's bit is drawn over its code word (remove \"bits\")");
  if (r.has("bits")) {
    const auto bits = r.get_int_array("bits", 2, 0, top_bit);
    if (bits[0] > bits[1])
      r.fail("bits", "expected [lo, hi] with lo <= hi, got [" + std::to_string(bits[0]) + ", " +
                         std::to_string(bits[1]) + "]");
    c.bit_lo = static_cast<int>(bits[0]);
    c.bit_hi = static_cast<int>(bits[1]);
  } else {
    c.bit_lo = 0;
    c.bit_hi = top_bit;
  }
  c.threads = static_cast<int>(r.get_int("threads", 0, 1024, 0));
  c.checkpoint_seconds = r.get_double("checkpoint_seconds", 0.1, 86400.0, 5.0);
  c.mitigations = parse_mitigation_variants(r, "mitigations");
  if (!c.memory_sites.empty() && !c.mitigations.empty())
    r.fail("mitigations", "mitigation variants act on PE faults; a memory campaign (sites cbuf, dram) takes none");
  if (!c.memory_sites.empty() && r.has("memory")) c.memory = parse_memory_fault_config(r.get_object("memory"));
  else if (r.has("memory")) r.fail("memory", "applies to the memory sites only; add \"cbuf\" or \"dram\" to sites");
  r.finish();

  return c;
}

}  // namespace accsim
