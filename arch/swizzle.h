#pragma once
// Channel swizzle policies: which PE row serves which input channel and which column
// serves which output channel. A faulty PE then touches different channels in each
// output-channel group / channel operation, spreading its errors (see docs/mapping.md).
#include <string>
#include <vector>

namespace accsim {

enum class SwizzlePolicy { none, rotate, xor_, random };

const std::vector<std::string>& swizzle_policy_names();
std::string to_string(SwizzlePolicy p);
SwizzlePolicy parse_swizzle_policy(const std::string& s);  // throws std::invalid_argument

}  // namespace accsim
