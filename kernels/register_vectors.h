#pragma once
// Eight weight register words at a time, by vector: the words a datapath holds for
// operand values, through their stuck-at masks, and the fp32 values the multiplier
// reads. Bit for bit what the scalar word_of / StuckMask::apply / register_float give
// (integer operations only, plus one exact conversion for fp16 subnormals), so the
// planned registers of a job do not depend on which path planned them. Internal to
// the floating-point kernels (kernels/float_conv.cpp).
#include <immintrin.h>

#include <cstdint>

#include "arch/number_format.h"

namespace accsim::register_vectors {

// The register words of eight operands given by their stored form: fp32 bits as they
// are, bf16 the top half (the word is float_bits >> 16), fp16 words zero-extended.
template <DataType T>
inline __m256i words_of(__m256 stored_bits) {
  const __m256i bits = _mm256_castps_si256(stored_bits);
  if constexpr (T == DataType::bf16) return _mm256_srli_epi32(bits, 16);
  else return bits;
}

inline __m256i fp16_words(const std::uint16_t* from) {
  return _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(from)));
}

// (word & keep) | force per lane.
inline __m256i apply(__m256i words, __m256i keep, __m256i force) {
  return _mm256_or_si256(_mm256_and_si256(words, keep), force);
}

// fp16_to_fp32 on eight words: normal numbers re-biased, Inf and NaN with their
// payload kept (no quieting, unlike vcvtph2ps), subnormals as m * 2^-24 (exact).
inline __m256 fp16_floats(__m256i h) {
  const __m256i sign = _mm256_slli_epi32(_mm256_and_si256(h, _mm256_set1_epi32(0x8000)), 16);
  const __m256i em = _mm256_and_si256(h, _mm256_set1_epi32(0x7fff));
  const __m256i e = _mm256_srli_epi32(em, 10);
  const __m256i shifted = _mm256_slli_epi32(em, 13);
  const __m256i normal = _mm256_add_epi32(shifted, _mm256_set1_epi32(112 << 23));
  const __m256i inf_nan = _mm256_or_si256(shifted, _mm256_set1_epi32(0x7f800000));
  const __m256 sub = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(h, _mm256_set1_epi32(0x3ff))),
                                   _mm256_set1_ps(5.9604644775390625e-8f));
  __m256i r = _mm256_blendv_epi8(normal, inf_nan, _mm256_cmpeq_epi32(e, _mm256_set1_epi32(0x1f)));
  r = _mm256_blendv_epi8(r, _mm256_castps_si256(sub), _mm256_cmpeq_epi32(e, _mm256_setzero_si256()));
  return _mm256_castsi256_ps(_mm256_or_si256(r, sign));
}

// register_float(T, word) on eight words.
template <DataType T>
inline __m256 floats_of(__m256i words) {
  if constexpr (T == DataType::fp16) return fp16_floats(words);
  else if constexpr (T == DataType::bf16) return _mm256_castsi256_ps(_mm256_slli_epi32(words, 16));
  else return _mm256_castsi256_ps(words);
}

// Lanes [0, n) set (masked loads and stores of a partial group).
inline __m256i first_lanes(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

}  // namespace accsim::register_vectors
