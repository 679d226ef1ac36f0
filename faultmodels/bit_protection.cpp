#include "faultmodels/bit_protection.h"

#include <stdexcept>
#include <string>

namespace accsim {

std::uint32_t protection_mask(const std::vector<int>& bits) {
  std::uint32_t m = 0;
  for (int b : bits) {
    if (b < 0 || b > 31) throw std::invalid_argument("protection_mask: bit " + std::to_string(b) + " is not in [0, 31]");
    m |= std::uint32_t{1} << b;
  }
  return m;
}

Injection without_protected_bits(const Injection& injection, std::uint32_t mask) {
  Injection out;
  for (const ParameterFlip& f : injection.flips) {
    ParameterFlip kept = f;
    kept.new_bits = f.old_bits ^ (f.mask() & ~mask);
    if (kept.mask() != 0) out.flips.push_back(kept);
  }
  return out;
}

}  // namespace accsim
