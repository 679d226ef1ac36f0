#include "arch/swizzle.h"

#include "arch/enum_names.h"

namespace accsim {

const std::vector<std::string>& swizzle_policy_names() {
  static const std::vector<std::string> names{"none", "rotate", "xor", "random"};
  return names;
}

std::string to_string(SwizzlePolicy p) { return swizzle_policy_names().at(static_cast<int>(p)); }

SwizzlePolicy parse_swizzle_policy(const std::string& s) {
  return enum_from_name<SwizzlePolicy>(swizzle_policy_names(), s, "swizzle policy");
}

}  // namespace accsim
