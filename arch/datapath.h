#pragma once
// The arithmetic of each number format's datapath on raw words (docs/cycle_model.md,
// "Number formats"). Every engine computes through these, so all agree bit for bit:
//   multiply:   weight and input register words -> the multiplier's output word
//               (fp32 for fp32/fp16/bf16: the exact product rounded to fp32 with the
//               canonical NaN; int8: the int16 product, two's complement, low 16 bits)
//   tree_input: a product word as the adder tree reads it (int8: sign-extended to 32)
//   add:        adder tree and accumulator addition (fp32 rounded, canonical NaN;
//               int8: int32 two's complement, wrapping on overflow)
#include <cstdint>

#include "arch/number_format.h"

namespace accsim {

template <DataType T>
struct Datapath {
  static constexpr DataType type = T;
  static constexpr bool integer = T == DataType::int8;

  static std::uint32_t multiply(std::uint32_t w, std::uint32_t x) {
    if constexpr (integer) {
      return static_cast<std::uint32_t>(sign_extend(w, 8) * sign_extend(x, 8)) & 0xffffu;
    } else {
      return float_bits(fp32_mul(register_float(T, w), register_float(T, x)));
    }
  }
  static std::uint32_t tree_input(std::uint32_t p) {
    if constexpr (integer) return static_cast<std::uint32_t>(sign_extend(p, 16));
    else return p;
  }
  static std::uint32_t add(std::uint32_t a, std::uint32_t b) {
    if constexpr (integer) return a + b;
    else return float_bits(fp32_add(bits_float(a), bits_float(b)));
  }
};

// Calls f(Datapath<t>{}) for a runtime datatype: one dispatch per batch of work.
template <class F>
decltype(auto) with_datapath(DataType t, F&& f) {
  switch (t) {
    case DataType::fp16: return f(Datapath<DataType::fp16>{});
    case DataType::bf16: return f(Datapath<DataType::bf16>{});
    case DataType::int8: return f(Datapath<DataType::int8>{});
    case DataType::fp32: break;
  }
  return f(Datapath<DataType::fp32>{});
}

}  // namespace accsim
