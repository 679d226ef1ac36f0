#include "arch/hardware_fault.h"

#include <stdexcept>

#include "arch/enum_names.h"

namespace accsim {

const std::vector<std::string>& fault_site_names() {
  static const std::vector<std::string> names{"weight", "input", "product", "psum", "accumulator"};
  return names;
}

const std::vector<std::string>& fault_kind_names() {
  static const std::vector<std::string> names{"stuck_at_0", "stuck_at_1", "transient"};
  return names;
}

std::string to_string(FaultSite s) { return fault_site_names().at(static_cast<int>(s)); }
std::string to_string(FaultKind k) { return fault_kind_names().at(static_cast<int>(k)); }

FaultSite parse_fault_site(const std::string& s) { return enum_from_name<FaultSite>(fault_site_names(), s, "fault site"); }
FaultKind parse_fault_kind(const std::string& s) { return enum_from_name<FaultKind>(fault_kind_names(), s, "fault kind"); }

std::string describe(const HardwareFault& f) {
  std::string where;
  switch (f.site) {
    case FaultSite::psum: where = "col " + std::to_string(f.col); break;
    case FaultSite::accumulator:
      where = "entry(slot " + std::to_string(f.row) + ", col " + std::to_string(f.col) + ")";
      break;
    default: where = "PE(" + std::to_string(f.row) + "," + std::to_string(f.col) + ")";
  }
  std::string s = to_string(f.site) + " " + where + " bit " + std::to_string(f.bit) + " " + to_string(f.kind);
  if (!f.permanent()) s += " @cycle " + std::to_string(f.cycle);
  return s;
}

void validate(const HardwareFault& f, const ArrayConfig& a) {
  int rows = f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c;
  if (f.row < 0 || f.row >= rows || f.col < 0 || f.col >= a.atomic_k)
    throw std::invalid_argument("fault location outside the array");
  if (f.bit < 0 || f.bit >= bit_width(a.datatype)) throw std::invalid_argument("bit outside the datatype");
  if (f.kind == FaultKind::transient && f.cycle < 0) throw std::invalid_argument("transient needs a cycle >= 0");
}

}  // namespace accsim
