#pragma once
// simd_avx2.h's operations at sixteen lanes, for the files compiled for AVX-512 alone
// (column_sums_avx512.cpp, slot_sums_avx512.cpp).
#include <immintrin.h>

#include "arch/number_format.h"

namespace accsim::simd {
namespace {

struct Avx512Ops {
  using reg = __m512;
  static constexpr int lanes = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg zero() { return _mm512_setzero_ps(); }
  // The canonical NaN in every NaN lane.
  static reg canonical(reg v) {
    const reg nan = _mm512_castsi512_ps(_mm512_set1_epi32(static_cast<int>(kCanonicalNaN)));
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q), v, nan);
  }
};

}  // namespace
}  // namespace accsim::simd
