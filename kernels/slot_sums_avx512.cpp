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
  using bits = __m512i;
  // A vector of masks (null: none, never applied).
  static bits load_bits(const std::uint32_t* p) { return p ? _mm512_loadu_si512(p) : _mm512_setzero_si512(); }
  // (v & keep) | force, lane by lane: one vpternlogd into v's register (from and/or, GCC
  // wrote it into a copy of keep's and moved it back: two more instructions a mask).
  static reg mask(reg v, bits keep, bits force) {
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(v), keep, force, 0xea));
  }
  // The lanes of a vector of ~0 (masked operand) and 0 (operand), and p with a x b in them.
  using lane_set = __mmask16;
  static lane_set lanes_of(bits b) { return _mm512_test_epi32_mask(b, b); }
  static reg merge_mul(reg p, lane_set l, reg a, reg b) { return _mm512_mask_mul_ps(p, l, a, b); }
  // The fp16 word (word & keep) | force, lane by lane (masks in the low 16 bits), as fp32.
  static reg mask_fp16(std::uint32_t word, bits keep, bits force) {
    const __m512i w = _mm512_or_si512(_mm512_and_si512(_mm512_set1_epi32(static_cast<int>(word)), keep), force);
    // The zero-masked forms: GCC 12 warns on the plain ones' undefined sources.
    const __m256i words = _mm512_maskz_cvtepi32_epi16(static_cast<__mmask16>(0xffff), w);
    return _mm512_maskz_cvtph_ps(static_cast<__mmask16>(0xffff), words);
  }
};

static_assert(kSlotAlign % SlotAvx512::lanes == 0, "the weight rows must hold whole vectors");

}  // namespace

namespace avx512 {

SlotFn slot_fn(int rows, int used, bool masked, int row, unsigned kind, bool lean) {
  return slot_kernel_for<SlotAvx512>(rows, used, masked, row, kind, lean);
}

}  // namespace avx512

}  // namespace accsim::slot_sums
