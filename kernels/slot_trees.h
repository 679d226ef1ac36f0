#pragma once
// The slot kernels of slot_sums, written once for any vector width (V: reg, lanes, load,
// store, set1, mul, add, zero, canonical; mask, mask_fp16; unroll: positions per step). Included by slot_sums.cpp
// (AVX2) and slot_sums_avx512.cpp (compiled for AVX-512); internal linkage, as
// column_trees.h, whose `tree` gives the array's pairing.
#include <immintrin.h>

#include <array>
#include <cstdint>
#include <utility>

#include "kernels/column_trees.h"
#include "kernels/slot_sums.h"

namespace accsim::slot_sums {
namespace {

using column_sums::Wide;

// The masks of one vector of slots (MASKED kernels): m points at the slot's entry of
// the input keep plane; the planes follow each other `plane` apart (SlotInput::masks);
// psum at the slot's psum keep entry, its force `stride` after it (null: none).
struct VectorMasks {
  const std::uint32_t* m;
  std::ptrdiff_t plane;
  unsigned input_rows, product_rows;
  bool fp16;
  const std::uint32_t* psum;
  std::ptrdiff_t stride;
  bool psum_canonical;
};

// The fp16 register word of an operand value decoded from one (F16C's conversion is
// exact on those, but quiets NaNs: a NaN's word keeps its payload as fp16_word's).
__attribute__((always_inline)) inline std::uint32_t operand_word(float x) {
  if (__builtin_expect(x != x, 0)) {
    std::uint16_t word;
    column_sums::fp16_words(&x, 1, &word);
    return word;
  }
  return _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT);
}

// One leaf of one position: w x the operand, through the PE's masks where a slot of the
// row has one (identity in the other lanes): the input's on the operand (fp16: on its
// word), the product's on the canonical product, as masked_row computes them.
template <class V, bool MASKED>
__attribute__((always_inline)) inline typename V::reg leaf(typename V::reg w, float x, int row, std::ptrdiff_t at,
                                                           const VectorMasks& mk) {
  typename V::reg in = V::set1(x);
  if constexpr (MASKED)
    if (mk.input_rows >> row & 1u)
      in = mk.fp16 ? V::mask_fp16(operand_word(x), mk.m + at, mk.m + at + mk.plane)
                   : V::mask(in, mk.m + at, mk.m + at + mk.plane);
  typename V::reg p = V::mul(w, in);
  if constexpr (MASKED)
    if (mk.product_rows >> row & 1u) p = V::mask(V::canonical(p), mk.m + at + 2 * mk.plane, mk.m + at + 3 * mk.plane);
  return p;
}

// One row's leaves of K positions (one weight vector).
template <class V, int K, bool MASKED>
__attribute__((always_inline)) inline typename Wide<V, K>::reg row_leaves(typename V::reg wv, const float* const* x,
                                                                          const std::ptrdiff_t* off, int row,
                                                                          std::ptrdiff_t at, const VectorMasks& mk) {
  if constexpr (K == 1) {
    return leaf<V, MASKED>(wv, x[0][off[row]], row, at, mk);
  } else {
    typename Wide<V, K>::reg p;
    for (int k = 0; k < K; ++k) p.v[k] = leaf<V, MASKED>(wv, x[k][off[row]], row, at, mk);
    return p;
  }
}

// Whether the masked kernels test a row's mask bits once per row and step (two copies
// of each leaf) rather than in each leaf (sanitized builds: half the compile time).
#ifdef __SANITIZE_ADDRESS__
constexpr bool kRowTests = false;
#else
constexpr bool kRowTests = true;
#endif

// One step's trees of K positions for one vector of slots: leaf (row) = w[row] x the
// position's operand (one weight load serves the K positions).
template <class V, int K, int ROWS, int USED, bool MASKED>
__attribute__((always_inline)) inline typename Wide<V, K>::reg step_trees(const float* w, int stride,
                                                                          const float* const* x,
                                                                          const std::ptrdiff_t* off,
                                                                          const VectorMasks& mk) {
  return column_sums::tree<Wide<V, K>, ROWS, 0, USED>([&](int row) __attribute__((always_inline)) {
    const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(row) * stride;
    typename V::reg wv = V::load(w + at);
    // One load for the K multiplies: GCC would fold it into each (K loads of the same vector).
    if constexpr (K > 1) __asm__("" : "+v"(wv));
    // A row no slot masks takes the plain leaves: one test per row, not per leaf.
    if constexpr (MASKED && kRowTests)
      if ((mk.input_rows | mk.product_rows) >> row & 1u) return row_leaves<V, K, true>(wv, x, off, row, at, mk);
    return row_leaves<V, K, MASKED && !kRowTests>(wv, x, off, row, at, mk);
  });
}

// One step's sums through the slots' psum masks (identity in the other lanes), as the
// exact psum pass (canonical first) or the masked one (keeps_nans masks) applies them.
template <class V, int K>
__attribute__((always_inline)) inline void psum_masks(typename Wide<V, K>::reg& sums, const VectorMasks& mk) {
  if (!mk.psum) return;
  for (int k = 0; k < K; ++k) {
    typename V::reg* v;
    if constexpr (K == 1) v = &sums;
    else v = &sums.v[k];
    if (mk.psum_canonical) *v = V::canonical(*v);
    *v = V::mask(*v, mk.psum, mk.psum + mk.stride);
  }
}

// K positions from i through every step of the run, for the slot vector at `slot`: the
// accumulators stay in registers.
template <class V, int K, int ROWS, int USED, bool FIRST, bool MASKED>
__attribute__((always_inline)) inline void positions(const SlotInput& in, int i, int slot, float* acc) {
  const float* x[K];
  for (int k = 0; k < K; ++k) x[k] = in.x + in.pos[i + k];
  float* a = acc + static_cast<std::ptrdiff_t>(i) * in.stride + slot;
  const float* w = in.w + slot;
  const std::ptrdiff_t row_stride = static_cast<std::ptrdiff_t>(ROWS) * in.stride;
  const VectorMasks mk{MASKED ? in.masks + slot : nullptr,
                       static_cast<std::ptrdiff_t>(ROWS) * in.stride,
                       in.input_rows,
                       in.product_rows,
                       in.fp16_inputs,
                       MASKED && in.psum ? in.psum + slot : nullptr,
                       in.stride,
                       in.psum_canonical};
  const auto sums = [&](int s) __attribute__((always_inline)) {
    typename Wide<V, K>::reg t =
        step_trees<V, K, ROWS, USED, MASKED>(w + s * row_stride, in.stride, x, in.x_off + s * ROWS, mk);
    if constexpr (MASKED) psum_masks<V, K>(t, mk);
    return t;
  };
  typename Wide<V, K>::reg e;
  int s = 0;
  if constexpr (FIRST) {
    e = sums(0), s = 1;
  } else {
    if constexpr (K == 1) e = V::load(a);
    else
      for (int k = 0; k < K; ++k) e.v[k] = V::load(a + static_cast<std::ptrdiff_t>(k) * in.stride);
  }
  for (; s < in.steps; ++s) e = Wide<V, K>::add(e, sums(s));
  for (int k = 0; k < K; ++k) V::store(a + static_cast<std::ptrdiff_t>(k) * in.stride, column_sums::lane<V, K>(e, k));
}

// Every slot vector, positions outer (K at a time, the last ones alone), steps inner:
// one vector's weights of every step stay in L1 over the positions.
template <class V, int ROWS, int USED, bool FIRST, bool MASKED>
void slot_run(const SlotInput& in, int count, float* acc) {
  constexpr int K = V::unroll;
  for (int slot = 0; slot < in.slots; slot += V::lanes) {
    int i = 0;
    for (; i + K <= count; i += K) positions<V, K, ROWS, USED, FIRST, MASKED>(in, i, slot, acc);
    for (; i < count; ++i) positions<V, 1, ROWS, USED, FIRST, MASKED>(in, i, slot, acc);
  }
}

template <class V, int ROWS, int USED, bool MASKED>
void slot_kernel(const SlotInput& in, int count, float* acc, bool first) {
  if (first)
    slot_run<V, ROWS, USED, true, MASKED>(in, count, acc);
  else
    slot_run<V, ROWS, USED, false, MASKED>(in, count, acc);
}

template <class V, int ROWS, bool MASKED, std::size_t... U>
constexpr std::array<SlotFn, ROWS> slot_table(std::index_sequence<U...>) {
  return {slot_kernel<V, ROWS, static_cast<int>(U) + 1, MASKED>...};
}

template <class V, int ROWS, bool MASKED>
SlotFn slot_for(int used) {
  static constexpr std::array<SlotFn, ROWS> table = slot_table<V, ROWS, MASKED>(std::make_index_sequence<ROWS>());
  return used >= 1 && used <= ROWS ? table[static_cast<std::size_t>(used - 1)] : nullptr;
}

// Masked kernels for 8-row trees only (the small preset: instantiations kept few).
template <class V>
SlotFn slot_kernel_for(int rows, int used, bool masked) {
  if (masked) return rows == 8 ? slot_for<V, 8, true>(used) : nullptr;
  switch (rows) {
    case 8: return slot_for<V, 8, false>(used);
    case 16: return slot_for<V, 16, false>(used);
    default: return nullptr;
  }
}

}  // namespace
}  // namespace accsim::slot_sums
