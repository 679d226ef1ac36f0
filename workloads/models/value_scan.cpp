#include "workloads/models/value_scan.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "arch/number_format.h"

namespace accsim {

namespace {

// Counting in 32-bit lanes per block (8 words a vector, not 4 as 64-bit sums would):
// a block is short enough that its count cannot overflow.
constexpr std::size_t kBlock = std::size_t{1} << 24;

bool nonfinite_bits(std::uint32_t u) { return (u & 0x7f800000u) == 0x7f800000u; }  // an all-ones exponent

}  // namespace

ValueScan scan_values(const Tensor& faulty, const Tensor& golden) {
  return scan_values(faulty.data(), golden.data(), faulty.size());
}

ValueScan scan_values(const float* f, const float* g, std::size_t n) {
  ValueScan s;
  std::uint32_t any = 0;
  for (std::size_t start = 0; start < n; start += kBlock) {
    const std::size_t end = std::min(n, start + kBlock);
    std::uint32_t d = 0;
    for (std::size_t i = start; i < end; ++i) {
      const std::uint32_t u = float_bits(f[i]);
      d += static_cast<std::uint32_t>(u != float_bits(g[i]));
      any |= static_cast<std::uint32_t>(nonfinite_bits(u));
    }
    s.differences += d;
  }
  s.nonfinite = any != 0;
  return s;
}

bool keeps_finite(const Node& node) {
  static const std::set<std::string> moves = {"Relu", "Flatten", "Reshape", "Identity"};
  if (moves.count(node.op)) return true;
  if (node.op != "MaxPool") return false;
  const std::vector<long long> pads = node.get_ints("pads", {});
  return std::all_of(pads.begin(), pads.end(), [](long long p) { return p == 0; });
}

bool any_nonfinite(const float* v, std::size_t n) {
  std::uint32_t any = 0;
  for (std::size_t i = 0; i < n; ++i) any |= static_cast<std::uint32_t>(nonfinite_bits(float_bits(v[i])));
  return any != 0;
}

}  // namespace accsim
