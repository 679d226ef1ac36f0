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

int site_bit_width(FaultSite site, DataType t) {
  switch (site) {
    case FaultSite::weight:
    case FaultSite::input: return bit_width(t);
    case FaultSite::product: return t == DataType::int8 ? 16 : 32;
    case FaultSite::psum:
    case FaultSite::accumulator: return 32;
  }
  return 0;
}

std::string describe_site_word(FaultSite site, DataType t) {
  static const char* const what[] = {"weight register", "input register", "multiplier output", "adder-tree output",
                                     "accumulator entry"};
  const int w = site_bit_width(site, t);
  std::string layout;
  if (is_integer(t)) {
    layout = "two's complement int" + std::to_string(w);
  } else if (w == 32) {
    layout = "fp32: 31 sign, 30..23 exponent, 22..0 mantissa";
  } else if (t == DataType::fp16) {
    layout = "15 sign, 14..10 exponent, 9..0 mantissa";
  } else {
    layout = "15 sign, 14..7 exponent, 6..0 mantissa";
  }
  return to_string(t) + " " + what[static_cast<int>(site)] + " (" + std::to_string(w) + " bits: " + layout + ")";
}

void validate(const HardwareFault& f, const ArrayConfig& a) {
  int rows = f.site == FaultSite::accumulator ? a.stripe_length : a.atomic_c;
  if (f.row < 0 || f.row >= rows || f.col < 0 || f.col >= a.atomic_k)
    throw std::invalid_argument("fault location outside the array");
  const int width = site_bit_width(f.site, a.datatype);
  if (f.bit < 0 || f.bit >= width)
    throw std::invalid_argument("bit " + std::to_string(f.bit) + " outside the " + describe_site_word(f.site, a.datatype) +
                                ": allowed bits [0, " + std::to_string(width - 1) + "]");
  if (f.kind == FaultKind::transient && f.cycle < 0) throw std::invalid_argument("transient needs a cycle >= 0");
}

}  // namespace accsim
