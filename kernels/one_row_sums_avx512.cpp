// one_row_sums' kernels at sixteen lanes per vector, for CPUs with AVX-512 (this file
// alone is compiled for it; one_row_sums.cpp calls it only when column_sums' vector ISA
// is AVX-512).
#include <immintrin.h>

#include "kernels/one_row_kernel.h"
#include "kernels/simd_avx512.h"

namespace accsim::one_row_sums {

namespace {

// Sixteen lanes, with the stuck-at masks' bit operations.
struct Avx512 : simd::Avx512Ops {
  using bits = __m512i;
  using words = __m256i;
  static bits splat(std::uint32_t x) { return _mm512_set1_epi32(static_cast<int>(x)); }
  static bits load_bits(const std::uint32_t* p) { return _mm512_loadu_si512(p); }
  static words splat16(std::uint16_t x) { return _mm256_set1_epi16(static_cast<short>(x)); }
  static reg masked(reg v, bits keep, bits force) {
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(_mm512_castps_si512(v), keep), force));
  }
  // Sixteen fp16 words through the input mask, as fp32 (the zero-masked form: GCC 12
  // warns on _mm512_cvtph_ps's undefined source).
  static reg masked_words(const std::uint16_t* p, words keep, words force) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_maskz_cvtph_ps(static_cast<__mmask16>(0xffff), _mm256_or_si256(_mm256_and_si256(w, keep), force));
  }
};

}  // namespace

namespace avx512 {

OneRowFn one_row_fn(const OneRowKind& kind) { return kernel_for<Avx512>(kind); }

}  // namespace avx512

}  // namespace accsim::one_row_sums
