#include "faultmodels/hardware_fault_parser.h"

namespace accsim {

HardwareFault parse_hardware_fault(ConfigReader r, const ArrayConfig& a) {
  HardwareFault f;
  f.site = parse_fault_site(r.get_choice("site", fault_site_names()));
  const int last_col = a.atomic_k - 1;
  switch (f.site) {
    case FaultSite::psum:
      if (r.has("pe")) r.fail("pe", "a psum fault sits on a column's adder tree: give \"column\" instead of \"pe\"");
      f.col = static_cast<int>(r.get_int("column", 0, last_col));
      break;
    case FaultSite::accumulator: {
      if (r.has("pe")) r.fail("pe", "an accumulator fault sits in an entry: give \"entry\": [slot, column]");
      auto e = r.get_int_array("entry", 2, 0, std::max(a.stripe_length, a.atomic_k) - 1);
      if (e[0] >= a.stripe_length)
        r.fail("entry", "slot " + std::to_string(e[0]) + " is outside [0, " + std::to_string(a.stripe_length - 1) +
                            "] (stripe_length " + std::to_string(a.stripe_length) + ")");
      if (e[1] > last_col)
        r.fail("entry", "column " + std::to_string(e[1]) + " is outside [0, " + std::to_string(last_col) + "]");
      f.row = static_cast<int>(e[0]);
      f.col = static_cast<int>(e[1]);
      break;
    }
    default: {
      const auto& pe = r.get_raw("pe");
      if (!pe.is_array() || pe.size() != 2 || !pe[0].is_number_integer() || !pe[1].is_number_integer())
        r.fail("pe", "expected [row, column] with row in [0, " + std::to_string(a.atomic_c - 1) + "] and column in [0, " +
                         std::to_string(last_col) + "], got " + pe.dump());
      long long row = pe[0].get<long long>(), col = pe[1].get<long long>();
      if (row < 0 || row >= a.atomic_c)
        r.fail("pe[0]", "row " + std::to_string(row) + " is outside the array's rows [0, " +
                            std::to_string(a.atomic_c - 1) + "]");
      if (col < 0 || col > last_col)
        r.fail("pe[1]", "column " + std::to_string(col) + " is outside the array's columns [0, " +
                            std::to_string(last_col) + "]");
      f.row = static_cast<int>(row);
      f.col = static_cast<int>(col);
    }
  }
  f.bit = static_cast<int>(r.get_int("bit", 0, bit_width(a.datatype) - 1));
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
