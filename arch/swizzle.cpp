#include "arch/swizzle.h"

#include <stdexcept>

namespace accsim {

const std::vector<std::string>& swizzle_policy_names() {
  static const std::vector<std::string> names{"none", "rotate", "xor", "random"};
  return names;
}

std::string to_string(SwizzlePolicy p) { return swizzle_policy_names().at(static_cast<int>(p)); }

SwizzlePolicy parse_swizzle_policy(const std::string& s) {
  const auto& names = swizzle_policy_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == s) return static_cast<SwizzlePolicy>(i);
  throw std::invalid_argument("unknown swizzle policy \"" + s + "\"");
}

}  // namespace accsim
