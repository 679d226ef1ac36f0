#include "kernels/one_row_sums.h"

#include <immintrin.h>

#include "kernels/column_sums.h"

namespace accsim::one_row_sums {

namespace {

namespace cs = column_sums;

// Vectors of output positions computed side by side (independent chains keep the adder
// busy while each waits for its previous step).
constexpr int kBlock = 4;

// The stuck-at masks of one call as vectors.
struct Masks {
  __m256i im_keep, im_force, pm_keep, pm_force, ps_keep, ps_force;
  __m128i im16_keep, im16_force;
  explicit Masks(const OneRowInput& c)
      : im_keep(_mm256_set1_epi32(static_cast<int>(c.im.keep))),
        im_force(_mm256_set1_epi32(static_cast<int>(c.im.force))),
        pm_keep(_mm256_set1_epi32(static_cast<int>(c.pm.keep))),
        pm_force(_mm256_set1_epi32(static_cast<int>(c.pm.force))),
        ps_keep(_mm256_set1_epi32(static_cast<int>(c.psum.keep))),
        ps_force(_mm256_set1_epi32(static_cast<int>(c.psum.force))),
        im16_keep(_mm_set1_epi16(static_cast<short>(c.im.keep & 0xffffu))),
        im16_force(_mm_set1_epi16(static_cast<short>(c.im.force & 0xffffu))) {}
};

inline __m256 masked(__m256 v, __m256i keep, __m256i force) {
  return _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(_mm256_castps_si256(v), keep), force));
}

// The column sum of step rs at lanes [lane, lane + 8): the PE's product (through its
// masks, as column_trees' masked_row makes the leaf) + the idle leaves' +0; exact: the
// psum register's view of it.
template <bool EXACT, InputMask IN, bool PRODUCT>
__attribute__((always_inline)) inline __m256 step_sum(const OneRowInput& c, const Masks& m, __m256 w, int rs,
                                                      int lane) {
  const std::ptrdiff_t at = c.offset[rs] + lane;
  __m256 in;
  if constexpr (IN == InputMask::fp16_word) {
    const __m128i words = _mm_loadu_si128(reinterpret_cast<const __m128i*>(c.tap_words + at));
    in = _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(words, m.im16_keep), m.im16_force));
  } else if constexpr (IN == InputMask::fp32_view) {
    in = masked(_mm256_loadu_ps(c.taps + at), m.im_keep, m.im_force);
  } else {
    in = _mm256_loadu_ps(c.taps + at);
  }
  __m256 p = _mm256_mul_ps(w, in);
  if constexpr (PRODUCT) p = masked(cs::canonical(p), m.pm_keep, m.pm_force);
  __m256 sum = _mm256_add_ps(p, _mm256_setzero_ps());
  if constexpr (EXACT) sum = masked(cs::canonical(sum), m.ps_keep, m.ps_force);
  return sum;
}

// B vectors from lane `lane`: every step, entries in registers.
template <int B, bool EXACT, InputMask IN, bool PRODUCT>
__attribute__((always_inline)) inline void block(const OneRowInput& c, const Masks& m, int lane, float* acc) {
  __m256 e[B];
  __m256 w = _mm256_set1_ps(c.w[0]);
  for (int j = 0; j < B; ++j) e[j] = step_sum<EXACT, IN, PRODUCT>(c, m, w, 0, lane + j * cs::kLanes);
  for (int rs = 1; rs < c.steps; ++rs) {
    w = _mm256_set1_ps(c.w[rs]);
    for (int j = 0; j < B; ++j) {
      e[j] = _mm256_add_ps(e[j], step_sum<EXACT, IN, PRODUCT>(c, m, w, rs, lane + j * cs::kLanes));
      if constexpr (EXACT) e[j] = cs::canonical(e[j]);
    }
  }
  for (int j = 0; j < B; ++j) _mm256_storeu_ps(acc + lane + j * cs::kLanes, e[j]);
}

template <bool EXACT, InputMask IN, bool PRODUCT>
void one_row(const OneRowInput& c, int count, float* acc) {
  const Masks m(c);
  const int vectors = (count + cs::kLanes - 1) / cs::kLanes;
  int v = 0;
  for (; v + kBlock <= vectors; v += kBlock) block<kBlock, EXACT, IN, PRODUCT>(c, m, v * cs::kLanes, acc);
  for (; v < vectors; ++v) block<1, EXACT, IN, PRODUCT>(c, m, v * cs::kLanes, acc);
}

template <bool EXACT, InputMask IN>
OneRowFn with_product(bool product) {
  return product ? one_row<EXACT, IN, true> : one_row<EXACT, IN, false>;
}

template <bool EXACT>
OneRowFn with_input(InputMask input, bool product) {
  switch (input) {
    case InputMask::none: return with_product<EXACT, InputMask::none>(product);
    case InputMask::fp32_view: return with_product<EXACT, InputMask::fp32_view>(product);
    case InputMask::fp16_word: return with_product<EXACT, InputMask::fp16_word>(product);
  }
  return nullptr;
}

}  // namespace

OneRowFn one_row_fn(bool exact, InputMask input, bool product_mask) {
  return exact ? with_input<true>(input, product_mask) : with_input<false>(input, product_mask);
}

}  // namespace accsim::one_row_sums
