#pragma once
// Parameter fault models on fp32 tensors (the PVF paper's SBF, MBF, MBBF; PyTEI's BER;
// the LLM study's value errors). docs/parameter_faults.md describes each and how it is
// sampled.
#include <cstdint>
#include <string>

namespace accsim {

enum class ParameterFaultKind {
  sbf,    // one bit, uniform over every allowed bit of the target
  mbf,    // `count` distinct bits, uniform over the target's allowed bits
  mbbf,   // `count` disjoint bursts of `burst_length` consecutive allowed bits, each within one word
  ber,    // every allowed bit flips independently with probability `rate`
  value,  // elements replaced by a uniform value in [value_lo, value_hi]: each with probability
          // `rate`, or exactly `count` distinct elements when rate is 0
};
std::string to_string(ParameterFaultKind k);
ParameterFaultKind parse_parameter_fault_kind(const std::string& name);  // std::invalid_argument
const char* const* parameter_fault_kind_names();                          // {"sbf", ..., "value", nullptr}

struct ParameterFaultModel {
  ParameterFaultKind kind = ParameterFaultKind::sbf;
  std::uint64_t count = 1;  // mbf: bits; mbbf: bursts; value: elements (when rate == 0)
  double rate = 0.0;        // ber: bit flip probability in (0, 1]; value: per-element probability in [0, 1]
  int burst_length = 2;     // mbbf: bits per burst, [2, 32]
  float value_lo = 0.0f, value_hi = 1.0f;  // value: the replacement range (the LLM study: (0, 1))

  // Throws std::invalid_argument for values out of range (independent of any target).
  void validate() const;
  // "sbf", "mbf 8", "mbbf 4x2", "ber 1e-06", "value 1e-05 in [0, 1]"
  std::string describe() const;
};

}  // namespace accsim
