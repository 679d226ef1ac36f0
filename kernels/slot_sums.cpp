#include "kernels/slot_sums.h"

#include <immintrin.h>

#include <atomic>

#include "kernels/column_sums.h"
#include "kernels/simd_avx2.h"
#include "kernels/slot_trees.h"

namespace accsim::slot_sums {

namespace {

// AVX2: eight slots a vector, two positions a step (two trees in sixteen ymm registers).
struct SlotAvx2 : simd::Avx2Ops {
#ifdef __SANITIZE_ADDRESS__
  static constexpr int unroll = 1;  // sanitized builds: no struct of vectors (compile time, see column_sums_avx512.cpp)
#else
  static constexpr int unroll = 2;
#endif
  using bits = __m256i;
  // A vector of masks (null: none, never applied).
  static bits load_bits(const std::uint32_t* p) {
    return p ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)) : _mm256_setzero_si256();
  }
  // (v & keep) | force, lane by lane.
  static reg mask(reg v, bits keep, bits force) {
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(_mm256_castps_si256(v), keep), force));
  }
  // The lanes of a vector of ~0 (masked operand) and 0 (operand), and p with a x b in them.
  using lane_set = __m256;
  static lane_set lanes_of(bits b) { return _mm256_castsi256_ps(b); }
  static reg merge_mul(reg p, lane_set l, reg a, reg b) { return _mm256_blendv_ps(p, _mm256_mul_ps(a, b), l); }
  // The fp16 word (word & keep) | force, lane by lane (masks in the low 16 bits), as fp32.
  static reg mask_fp16(std::uint32_t word, bits keep, bits force) {
    const __m256i w = _mm256_or_si256(_mm256_and_si256(_mm256_set1_epi32(static_cast<int>(word)), keep), force);
    return _mm256_cvtph_ps(_mm_packus_epi32(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1)));
  }
};

std::atomic<SlotPolicy>& policy() {
  static std::atomic<SlotPolicy> current{SlotPolicy::automatic};
  return current;
}

}  // namespace

namespace avx512 {  // slot_sums_avx512.cpp
SlotFn slot_fn(int rows, int used, bool masked, int row, unsigned kind, bool lean);
}  // namespace avx512

SlotFn slot_fn(int rows, int used, bool masked, int row, unsigned kind, bool lean) {
  if (column_sums::vector_isa() == column_sums::VectorIsa::avx512)
    return avx512::slot_fn(rows, used, masked, row, kind, lean);
  return slot_kernel_for<SlotAvx2>(rows, used, masked, row, kind, lean);
}

SlotPolicy slot_policy() { return policy().load(); }
void set_slot_policy(SlotPolicy p) { policy().store(p); }

}  // namespace accsim::slot_sums
