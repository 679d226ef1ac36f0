#pragma once
// Shared helpers of the test suite: seeded random operands, presets, bit comparisons.
#include <cstring>
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/config_reader.h"
#include "arch/random.h"
#include "arch/tensor.h"

namespace accsim::testing {

inline Tensor random_tensor(std::vector<int> shape, Rng& rng, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(std::move(shape));
  for (auto& v : t.values()) v = rng.uniform(lo, hi);
  return t;
}

inline std::string shipped_config_file(const std::string& name) {
  return std::string(ACCSIM_SOURCE_DIR) + "/configs/" + name + ".json";
}

// configs/<name>.json with the ideal memory side (`array.memory` removed): the cycle
// counts, energies and transient cycles of the tests were made for the compute side
// alone. Tests about the memory side set `array.memory` themselves.
inline nlohmann::json ideal_config(const std::string& name) {
  nlohmann::json j = ConfigReader::load_file(shipped_config_file(name));
  j.at("array").erase("memory");
  return j;
}

// The array of configs/<name>.json with the ideal memory side (see ideal_config).
inline ArrayConfig preset(const std::string& name) {
  // A named file, not a temporary passed on: GCC 12's ASan reported the temporary's
  // by-value slot as used after its scope (MemorySideEquivalence, stack-use-after-scope).
  const std::string file = shipped_config_file(name);
  nlohmann::json j = ConfigReader::load_file(file);
  j.at("array").erase("memory");
  return parse_array_config(ConfigReader(j.at("array"), file, "array"));
}

// The multi-index of flat (row-major) element f of a tensor of `shape`.
inline std::vector<int> unflatten(std::size_t f, const std::vector<int>& shape) {
  std::vector<int> idx(shape.size());
  for (std::size_t i = shape.size(); i-- > 0;) {
    idx[i] = static_cast<int>(f % shape[i]);
    f /= shape[i];
  }
  return idx;
}

inline bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline long long count_bit_differences(const Tensor& a, const Tensor& b) {
  long long n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) n += !same_bits(a[i], b[i]);
  return n;
}

}  // namespace accsim::testing
