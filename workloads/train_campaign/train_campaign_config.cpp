#include "workloads/train_campaign/train_campaign_config.h"

#include <algorithm>

#include "arch/json_excerpt.h"
#include "arch/name_subset.h"
#include "workloads/campaign/campaign_config.h"

namespace accsim {

namespace {

template <typename T>
T index_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<T>(std::find(names.begin(), names.end(), name) - names.begin());
}

// Fault steps [lo, hi] inside [0, steps).
void read_fault_steps(ConfigReader& r, TrainCampaignConfig& c) {
  c.first_fault_step = 0, c.last_fault_step = c.steps - 1;
  if (!r.has("fault_steps")) return;
  const auto s = r.get_int_array("fault_steps", 2, 0, c.steps - 1);
  if (s[0] > s[1])
    r.fail("fault_steps", "expected [first, last] with first <= last, got [" + std::to_string(s[0]) + ", " +
                              std::to_string(s[1]) + "]");
  c.first_fault_step = s[0], c.last_fault_step = s[1];
}

// Bits [lo, hi]: every chosen site must hold them (site_bit_width).
void read_bits(ConfigReader& r, TrainCampaignConfig& c, const ArrayConfig& array) {
  int width = 64;
  for (FaultSite s : c.sites) width = std::min(width, site_bit_width(s, array.datatype));
  c.bit_lo = 0, c.bit_hi = width - 1;
  if (!r.has("bits")) return;
  const auto b = r.get_int_array("bits", 2, 0, width - 1);
  if (b[0] > b[1])
    r.fail("bits", "expected [lo, hi] with lo <= hi, got [" + std::to_string(b[0]) + ", " + std::to_string(b[1]) + "]");
  c.bit_lo = static_cast<int>(b[0]), c.bit_hi = static_cast<int>(b[1]);
}

}  // namespace

const std::vector<std::string>& permanent_onset_names() {
  static const std::vector<std::string> names = {"first_step", "drawn"};
  return names;
}

TrainCampaignConfig parse_train_campaign_config(const nlohmann::json& raw, const std::string& config_file,
                                                const ArrayConfig& array) {
  ConfigReader r(raw, config_file, "train_campaign");
  TrainCampaignConfig c;
  c.model = read_model_path(r, config_file);
  c.experiments = r.get_int("experiments", 1, 1000000);
  c.steps = r.get_int("steps", 1, 10000000);
  read_fault_steps(r, c);
  c.onset = index_of<PermanentOnset>(permanent_onset_names(),
                                     r.get_choice("permanent_onset", permanent_onset_names(), "first_step"));
  for (const auto& s : read_name_subset(r, "sites", fault_site_names())) c.sites.push_back(parse_fault_site(s));
  for (const auto& k : read_name_subset(r, "kinds", fault_kind_names())) c.kinds.push_back(parse_fault_kind(k));
  for (const auto& p : read_name_subset(r, "passes", pass_names())) c.passes.push_back(index_of<Pass>(pass_names(), p));
  read_bits(r, c, array);
  c.margin = r.get_double("margin", 0.0, 1.0, 0.02);
  c.curve_every = r.get_int("curve_every", 0, c.steps, 0);
  c.threads = static_cast<int>(r.get_int("threads", 0, 1024, 0));
  c.checkpoint_seconds = r.get_double("checkpoint_seconds", 0.1, 86400.0, 5.0);
  r.finish();
  return c;
}

}  // namespace accsim
