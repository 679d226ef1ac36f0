#include "arch/number_format.h"

#include <cmath>
#include <stdexcept>

namespace accsim {

const std::vector<std::string>& datatype_names() {
  static const std::vector<std::string> names{"fp32", "fp16", "bf16", "int8"};
  return names;
}

std::string to_string(DataType t) { return datatype_names().at(static_cast<std::size_t>(t)); }

DataType parse_datatype(const std::string& name) {
  const auto& names = datatype_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<DataType>(i);
  throw std::invalid_argument("unknown datatype \"" + name + "\" (supported: fp32, fp16, bf16, int8)");
}

int bit_width(DataType t) {
  switch (t) {
    case DataType::fp32: return 32;
    case DataType::fp16:
    case DataType::bf16: return 16;
    case DataType::int8: return 8;
  }
  return 0;
}

int bytes_per_element(DataType t) { return bit_width(t) / 8; }

namespace {

// m >> shift, rounded to nearest, ties to even (shift in [1, 31]).
std::uint32_t shift_round_even(std::uint32_t m, int shift) {
  const std::uint32_t q = m >> shift, rem = m & ((std::uint32_t{1} << shift) - 1u), half = std::uint32_t{1} << (shift - 1);
  return q + ((rem > half || (rem == half && (q & 1u))) ? 1u : 0u);
}

}  // namespace

std::uint16_t fp32_to_fp16(float f) {
  const std::uint32_t u = float_bits(f);
  const std::uint32_t sign = (u >> 16) & 0x8000u, a = u & 0x7fffffffu;
  if (a > 0x7f800000u) return kCanonicalNaNFp16;
  if (a >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // >= 65520 (and Inf): Inf
  const int e = static_cast<int>(a >> 23);
  if (e < 113) {  // below 2^-14: an fp16 subnormal (units of 2^-24) or zero
    const int shift = 126 - e;  // value = m * 2^(e-150) = (m >> shift) units of 2^-24
    if (e == 0 || shift > 24) return static_cast<std::uint16_t>(sign);  // < 2^-25 (ties to 0, even)
    const std::uint32_t m = (a & 0x7fffffu) | 0x800000u;
    return static_cast<std::uint16_t>(sign | shift_round_even(m, shift));
  }
  // Normal: rebias the exponent, round the mantissa to 10 bits (a carry may bump the exponent).
  const std::uint32_t q = (static_cast<std::uint32_t>(e - 112) << 10) | ((a & 0x7fffffu) >> 13);
  const std::uint32_t rem = a & 0x1fffu;
  return static_cast<std::uint16_t>(sign | (q + ((rem > 0x1000u || (rem == 0x1000u && (q & 1u))) ? 1u : 0u)));
}

float int8_scale(const float* data, std::size_t n) {
  float max = 0.0f;
  for (std::size_t i = 0; i < n; ++i) {
    const float a = std::fabs(data[i]);
    if (a > max && a <= 3.4028234663852886e38f) max = a;  // finite values only
  }
  const float scale = max / 127.0f;
  return scale > 0.0f ? scale : 1.0f;
}

std::int8_t quantise_int8(float x, float scale) {
  const float v = x / scale;
  if (v != v) return 0;
  if (v >= 127.0f) return 127;
  if (v <= -127.0f) return -127;
  return static_cast<std::int8_t>(std::nearbyint(v));  // the default rounding mode: to nearest, ties to even
}

}  // namespace accsim
