// The slot kernels of slot_sums at sixteen slots per vector, for CPUs with AVX-512
// (this file alone is compiled for it; slot_sums.cpp calls it only on such a CPU).
#include <immintrin.h>

#include "kernels/simd_avx512.h"
#include "kernels/slot_trees.h"

namespace accsim::slot_sums {

namespace {

struct SlotAvx512 : simd::Avx512Ops {
#ifdef __SANITIZE_ADDRESS__
  static constexpr int unroll = 1;  // sanitized builds: no struct of vectors (compile time, see column_sums_avx512.cpp)
#else
  static constexpr int unroll = 4;  // positions per step: one weight load serves four (four trees in 32 zmm registers)
#endif
  static reg mask(reg v, const std::uint32_t* keep, const std::uint32_t* force) {
    const __m512i k = _mm512_loadu_si512(keep), f = _mm512_loadu_si512(force);
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(_mm512_castps_si512(v), k), f));
  }
  static reg mask_fp16(std::uint32_t word, const std::uint32_t* keep, const std::uint32_t* force) {
    const __m512i k = _mm512_loadu_si512(keep), f = _mm512_loadu_si512(force);
    const __m512i w = _mm512_or_si512(_mm512_and_si512(_mm512_set1_epi32(static_cast<int>(word)), k), f);
    // The zero-masked forms: GCC 12 warns on the plain ones' undefined sources.
    const __m256i words = _mm512_maskz_cvtepi32_epi16(static_cast<__mmask16>(0xffff), w);
    return _mm512_maskz_cvtph_ps(static_cast<__mmask16>(0xffff), words);
  }
};

static_assert(kSlotAlign % SlotAvx512::lanes == 0, "the weight rows must hold whole vectors");

}  // namespace

namespace avx512 {

SlotFn slot_fn(int rows, int used, bool masked) { return slot_kernel_for<SlotAvx512>(rows, used, masked); }

}  // namespace avx512

}  // namespace accsim::slot_sums
