// The fused column kernels and masked leaves of column_sums at sixteen lanes per
// vector, for CPUs with AVX-512 (this file alone is compiled for it; column_sums.cpp
// calls it only on such a CPU). The trees are column_trees.h's, as for AVX2.
#include <immintrin.h>

#include "kernels/column_trees.h"
#include "kernels/simd_avx512.h"

namespace accsim::column_sums {

namespace {

struct Avx512 : simd::Avx512Ops {
#ifdef __SANITIZE_ADDRESS__
  // Sanitized builds (tests only) take one vector a step, the same sums in the same
  // order: GCC instrumenting the two-vector trees' structs took 10x the compile time.
  static constexpr int unroll = 1;
#else
  static constexpr int unroll = 2;  // vectors per step (accumulate_lanes): two trees fit in 32 zmm registers
#endif
  static constexpr int registers = 32;
  static reg apply(const StuckMask& m, reg v) {
    const __m512i bits = _mm512_and_si512(_mm512_castps_si512(v), _mm512_set1_epi32(static_cast<int>(m.keep)));
    return _mm512_castsi512_ps(_mm512_or_si512(bits, _mm512_set1_epi32(static_cast<int>(m.force))));
  }
  static reg masked_fp16(const StuckMask& m, const float* x) {
    const reg v = _mm512_loadu_ps(x);
    __m256i w = _mm512_maskz_cvtps_ph(static_cast<__mmask16>(0xffff), v, _MM_FROUND_TO_NEAREST_INT);  // as below
    if (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q)) {  // NaN payloads: see column_sums.cpp
      alignas(32) std::uint16_t words[16];
      fp16_words(x, 16, words);
      w = _mm256_load_si256(reinterpret_cast<const __m256i*>(words));
    }
    const __m256i keep = _mm256_set1_epi16(static_cast<short>(m.keep & 0xffffu));
    const __m256i force = _mm256_set1_epi16(static_cast<short>(m.force & 0xffffu));
    // The zero-masked form: GCC 12 warns on _mm512_cvtph_ps's undefined source.
    return _mm512_maskz_cvtph_ps(static_cast<__mmask16>(0xffff), _mm256_or_si256(_mm256_and_si256(w, keep), force));
  }
};

// Sixteen lanes from a kChunk-lane row: a chunk's lanes are a multiple of sixteen.
static_assert(kChunk % Avx512::lanes == 0, "chunks must fill whole AVX-512 vectors");

}  // namespace

namespace avx512 {

AccumulateFn accumulate_fn(int rows, int used, bool special, PsumPass psum) {
  return tree_accumulate<Avx512>(rows, used, special, psum);
}

LeavesFn masked_leaves_fn(DataType t) { return leaves_for<Avx512>(t); }

}  // namespace avx512

}  // namespace accsim::column_sums
