#pragma once
// Number formats of the datapath with bit-level access. Registers hold raw bit
// patterns; a fault is an AND/OR/XOR mask on those bits. fp32 is implemented; the
// enum and the per-format queries are where fp16, bf16 and int8 slot in.
#include <cstdint>
#include <cstring>
#include <string>

namespace accsim {

enum class DataType { fp32 };

std::string to_string(DataType t);
DataType parse_datatype(const std::string& name);  // throws std::invalid_argument
int bit_width(DataType t);                          // valid fault bits are [0, bit_width)
int bytes_per_element(DataType t);

inline std::uint32_t float_bits(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}
inline float bits_float(std::uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// The datapath's fp32 units return one canonical quiet NaN, as hardware FP units
// commonly do: results then never depend on which NaN operand a compiler or a vector
// unit happened to propagate, so every engine is bit-identical even on NaNs.
inline constexpr std::uint32_t kCanonicalNaN = 0x7fc00000u;
inline float canonical(float v) { return v != v ? bits_float(kCanonicalNaN) : v; }
inline float fp32_mul(float a, float b) { return canonical(a * b); }
inline float fp32_add(float a, float b) { return canonical(a + b); }

// Stuck-at bits of one register or wire: value -> (value & keep) | force.
struct StuckMask {
  std::uint32_t keep = ~0u;
  std::uint32_t force = 0;
  bool identity() const { return keep == ~0u && force == 0; }
  std::uint32_t apply(std::uint32_t v) const { return (v & keep) | force; }
  float apply(float f) const { return bits_float(apply(float_bits(f))); }
};

}  // namespace accsim
