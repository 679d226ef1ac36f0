#include "kernels/one_row_sums.h"

#include <immintrin.h>

#include "kernels/column_sums.h"
#include "kernels/one_row_kernel.h"
#include "kernels/simd_avx2.h"

namespace accsim::one_row_sums {

namespace avx512 {  // one_row_sums_avx512.cpp
OneRowFn one_row_fn(const OneRowKind& kind);
}  // namespace avx512

namespace {

// Eight lanes, with the stuck-at masks' bit operations.
struct Avx2 : simd::Avx2Ops {
  using bits = __m256i;
  using words = __m128i;
  static bits splat(std::uint32_t x) { return _mm256_set1_epi32(static_cast<int>(x)); }
  static bits load_bits(const std::uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static words splat16(std::uint16_t x) { return _mm_set1_epi16(static_cast<short>(x)); }
  static reg masked(reg v, bits keep, bits force) {
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(_mm256_castps_si256(v), keep), force));
  }
  // Eight fp16 words through the input mask, as fp32.
  static reg masked_words(const std::uint16_t* p, words keep, words force) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(w, keep), force));
  }
};

}  // namespace

OneRowFn one_row_fn(const OneRowKind& kind) {
  if (column_sums::vector_isa() == column_sums::VectorIsa::avx512) return avx512::one_row_fn(kind);
  return kernel_for<Avx2>(kind);
}

}  // namespace accsim::one_row_sums
