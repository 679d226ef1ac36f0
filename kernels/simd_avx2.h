#pragma once
// The vector operations every AVX2 kernel family builds on (column_sums' lanes,
// slot_sums' slots): one IEEE operation per lane, no FMA (the array rounds each
// product). Internal linkage, like the kernel templates that include it.
#include <immintrin.h>

#include "kernels/column_sums.h"

namespace accsim::simd {
namespace {

struct Avx2Ops {
  using reg = __m256;
  static constexpr int lanes = 8;
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg zero() { return _mm256_setzero_ps(); }
  static reg canonical(reg v) { return column_sums::canonical(v); }
};

}  // namespace
}  // namespace accsim::simd
