#pragma once
// An array block as JSON for config tests, parsed as a config file "a.json" would be, and
// the InputError a bad block gives (shared by the tests of the array block's objects).
#include <gtest/gtest.h>

#include <string>

#include "arch/array_config.h"
#include "arch/input_error.h"

namespace accsim::testing {

inline nlohmann::json array_json() {
  return nlohmann::json{{"atomic_c", 8},  {"atomic_k", 8},   {"datatype", "fp32"},        {"stripe_length", 16},
                        {"weight_load_bytes_per_cycle", 32}, {"cbuf_bytes", 131072}, {"mac_pipeline_depth", 7},
                        {"clock_mhz", 1000}};
}

inline ArrayConfig parse_array(const nlohmann::json& j) {
  return parse_array_config(ConfigReader(j, "a.json", "array"));
}

// The message of the InputError parsing `j` throws; a test failure when it throws none.
inline std::string array_error(const nlohmann::json& j) {
  try {
    parse_array(j);
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError for " << j.dump();
  return "";
}

}  // namespace accsim::testing
