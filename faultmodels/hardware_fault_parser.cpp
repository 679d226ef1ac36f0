#include "faultmodels/hardware_fault_parser.h"

#include <tuple>

#include "arch/json_excerpt.h"

namespace accsim {

namespace {

// A location [a, b] with its own range per element, e.g. "pe": [row, column].
std::pair<int, int> parse_location(ConfigReader& r, const std::string& key, const std::string& first, int first_hi,
                                   const std::string& second, int second_hi) {
  auto range = [](int hi) { return "[0, " + std::to_string(hi) + "]"; };
  const std::string expected =
      "[" + first + ", " + second + "] with " + first + " in " + range(first_hi) + " and " + second + " in " + range(second_hi);
  const auto& v = r.get_raw(key, expected);
  if (!v.is_array() || v.size() != 2) r.fail(key, "expected " + expected + ", got " + json_excerpt(v));
  int out[2];
  for (int i = 0; i < 2; ++i) {
    const std::string what = i ? second : first, where = key + "[" + std::to_string(i) + "]";
    const int hi = i ? second_hi : first_hi;
    const auto& e = v[i];
    if (!e.is_number_integer()) r.fail(where, "expected " + expected + ", got " + json_excerpt(v));
    const bool too_big = e.is_number_unsigned() && e.get<std::uint64_t>() > static_cast<std::uint64_t>(hi);
    const long long x = too_big ? hi + 1LL : e.get<long long>();
    if (x < 0 || x > hi) r.fail(where, what + " " + json_excerpt(e) + " is outside the allowed range " + range(hi));
    out[i] = static_cast<int>(x);
  }
  return {out[0], out[1]};
}

}  // namespace

HardwareFault parse_hardware_fault(ConfigReader r, const ArrayConfig& a) {
  HardwareFault f;
  f.site = parse_fault_site(r.get_choice("site", fault_site_names()));
  switch (f.site) {
    case FaultSite::psum:
      if (r.has("pe")) r.fail("pe", "a psum fault sits on a column's adder tree: give \"column\" instead of \"pe\"");
      f.col = static_cast<int>(r.get_int("column", 0, a.atomic_k - 1));
      break;
    case FaultSite::accumulator:
      if (r.has("pe")) r.fail("pe", "an accumulator fault sits in an entry: give \"entry\": [slot, column]");
      std::tie(f.row, f.col) = parse_location(r, "entry", "slot", a.stripe_length - 1, "column", a.atomic_k - 1);
      break;
    default:
      std::tie(f.row, f.col) = parse_location(r, "pe", "row", a.atomic_c - 1, "column", a.atomic_k - 1);
  }
  // The site's word width on this datatype bounds the bit (arch/hardware_fault.h).
  const int width = site_bit_width(f.site, a.datatype);
  try {
    f.bit = static_cast<int>(r.get_int("bit", 0, width - 1));
  } catch (const InputError& e) {
    throw InputError(std::string(e.what()) + " (the " + describe_site_word(f.site, a.datatype) + ")");
  }
  f.kind = parse_fault_kind(r.get_choice("kind", fault_kind_names()));
  if (f.kind == FaultKind::transient)
    f.cycle = r.get_int("cycle", 0, 1LL << 62);
  else if (r.has("cycle"))
    r.fail("cycle", "only a transient fault has a cycle; a stuck-at lasts the whole run");
  r.finish();
  return f;
}

std::vector<HardwareFault> parse_hardware_faults(ConfigReader& parent, const std::string& key,
                                                 const ArrayConfig& array) {
  std::vector<HardwareFault> faults;
  for (auto& element : parent.get_object_array(key)) faults.push_back(parse_hardware_fault(element, array));
  return faults;
}

}  // namespace accsim
