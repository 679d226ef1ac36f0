#pragma once
// Number formats of the datapath with bit-level access. Registers hold raw bit
// patterns (words); a fault is an AND/OR/XOR mask on a word's bits. Formats:
//   fp32  IEEE binary32 everywhere;
//   fp16  IEEE binary16 operands (weight and input registers hold 16-bit words),
//         products and sums in fp32 (NVDLA's FP16 pipe accumulates wider than fp16);
//   bf16  bfloat16 operands (the top half of an fp32 word), products and sums in fp32;
//   int8  per-tensor symmetric quantised operands (8-bit two's complement words),
//         int16 products, int32 adder tree and accumulator (wrap-around), the output
//         dequantised to fp32 by scale_w * scale_x.
// docs/cycle_model.md ("Number formats") defines each datapath and where it deviates
// from NVDLA. Host tensors stay fp32; arch/array_operands converts at the array boundary.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace accsim {

enum class DataType { fp32, fp16, bf16, int8 };

std::string to_string(DataType t);
const std::vector<std::string>& datatype_names();  // {"fp32", "fp16", "bf16", "int8"}
DataType parse_datatype(const std::string& name);  // throws std::invalid_argument
// The operand word of the weight and input registers: valid register fault bits are
// [0, bit_width). Other sites have their own widths (arch/hardware_fault.h).
int bit_width(DataType t);
int bytes_per_element(DataType t);  // of an operand in the convolution buffer
inline bool is_integer(DataType t) { return t == DataType::int8; }

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

// ---- 16-bit floating-point words ----------------------------------------------------
// Conversions round to nearest, ties to even; overflow gives infinity; every NaN
// becomes the format's canonical quiet NaN. Decoding is exact (fp16 and bf16 values
// are all fp32 values); a NaN word decodes to an fp32 NaN whose top mantissa bits are
// the word's, so decode followed by encode returns any non-NaN word unchanged.
inline constexpr std::uint16_t kCanonicalNaNFp16 = 0x7e00u;
inline constexpr std::uint16_t kCanonicalNaNBf16 = 0x7fc0u;
std::uint16_t fp32_to_fp16(float f);
inline float fp16_to_fp32(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t e = (h >> 10) & 0x1fu, m = h & 0x3ffu;
  if (e == 0x1f) return bits_float(sign | 0x7f800000u | (m << 13));  // Inf, NaN (payload kept)
  if (e == 0) return bits_float(sign | float_bits(static_cast<float>(m) * 5.9604644775390625e-8f));  // m * 2^-24
  return bits_float(sign | ((e + 112u) << 23) | (m << 13));
}
inline std::uint16_t fp32_to_bf16(float f) {
  const std::uint32_t u = float_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return kCanonicalNaNBf16;
  return static_cast<std::uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}
inline float bf16_to_fp32(std::uint16_t h) { return bits_float(static_cast<std::uint32_t>(h) << 16); }

// ---- int8: per-tensor symmetric quantisation -------------------------------------------
// scale = max |x| / 127 over the tensor's finite values (fp32 division; 1 when that
// maximum is 0); q = round_half_even(x / scale) (fp32 division) saturated to
// [-127, 127]; NaN -> 0, +-Inf -> +-127.
float int8_scale(const float* data, std::size_t n);
std::int8_t quantise_int8(float x, float scale);

inline std::int32_t sign_extend(std::uint32_t v, int bits) {
  const std::uint32_t m = std::uint32_t{1} << (bits - 1);
  v &= (m << 1) - 1u;
  return static_cast<std::int32_t>((v ^ m) - m);
}

// A register word as the multiplier reads it: a float for the floating-point formats.
inline float register_float(DataType t, std::uint32_t w) {
  switch (t) {
    case DataType::fp16: return fp16_to_fp32(static_cast<std::uint16_t>(w));
    case DataType::bf16: return bf16_to_fp32(static_cast<std::uint16_t>(w));
    default: return bits_float(w);
  }
}

// Stuck-at bits of one register or wire: word -> (word & keep) | force. A word of a
// narrower site occupies the low bits; `force` never sets bits above the site's width.
struct StuckMask {
  std::uint32_t keep = ~0u;
  std::uint32_t force = 0;
  bool identity() const { return keep == ~0u && force == 0; }
  std::uint32_t apply(std::uint32_t v) const { return (v & keep) | force; }
  float apply(float f) const { return bits_float(apply(float_bits(f))); }
};

}  // namespace accsim
