#pragma once
// The slot kernels of slot_sums, written once for any vector width (V: reg, lanes, load,
// store, set1, mul, add, zero, canonical; bits, load_bits, mask, mask_fp16; unroll:
// positions per step). Included by slot_sums.cpp
// (AVX2) and slot_sums_avx512.cpp (compiled for AVX-512); internal linkage, as
// column_trees.h, whose `tree` gives the array's pairing.
#include <immintrin.h>

#include <cstdint>
#include <utility>

#include "kernels/column_trees.h"
#include "kernels/slot_sums.h"

namespace accsim::slot_sums {
namespace {

using column_sums::Wide;

// MROW: the plain kernels (no masks), or the masked ones' one masked row (-1: none).
constexpr int kPlain = -2;

// The MASKED kernels' row and psum masks of one vector of slots, held in registers over
// a run: the one masked row's input (fp32 view, or fp16_inputs: the word) and product
// masks, the psum masks (identity in the lanes without one).
template <class V>
struct VectorMasks {
  typename V::bits input_keep, input_force, product_keep, product_force, psum_keep, psum_force;
  bool input, product, fp16, psum, psum_canonical;
  VectorMasks(const SlotInput& in, int row, int slot, std::ptrdiff_t plane) {
    const std::uint32_t* m = row >= 0 ? in.masks + static_cast<std::ptrdiff_t>(row) * in.stride + slot : nullptr;
    input = row >= 0 && (in.input_rows >> row & 1u), product = row >= 0 && (in.product_rows >> row & 1u);
    fp16 = in.fp16_inputs, psum = in.psum != nullptr, psum_canonical = in.psum_canonical;
    input_keep = V::load_bits(input ? m : nullptr), input_force = V::load_bits(input ? m + plane : nullptr);
    product_keep = V::load_bits(product ? m + 2 * plane : nullptr);
    product_force = V::load_bits(product ? m + 3 * plane : nullptr);
    psum_keep = V::load_bits(psum ? in.psum + slot : nullptr);
    psum_force = V::load_bits(psum ? in.psum + in.stride + slot : nullptr);
  }
};

// The fp16 register word of an operand value decoded from one (F16C's conversion is
// exact on those, but quiets NaNs: a NaN's word keeps its payload as fp16_word's;
// inline, so no call clobbers the kernel's registers).
__attribute__((always_inline)) inline std::uint32_t operand_word(float x) {
  if (__builtin_expect(x != x, 0)) return column_sums::fp16_word(x);
  return _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT);
}

// The masked row's leaf of one position: w x the operand through the PE's masks
// (identity in the other lanes): the input's on the operand (fp16: on its word), the
// product's on the canonical product, as masked_row computes them.
template <class V>
__attribute__((always_inline)) inline typename V::reg masked_leaf(typename V::reg w, float x,
                                                                  const VectorMasks<V>& mk) {
  typename V::reg in = V::set1(x);
  if (mk.input)
    in = mk.fp16 ? V::mask_fp16(operand_word(x), mk.input_keep, mk.input_force)
                 : V::mask(in, mk.input_keep, mk.input_force);
  const typename V::reg p = V::mul(w, in);
  return mk.product ? V::mask(V::canonical(p), mk.product_keep, mk.product_force) : p;
}

// One row's leaves of K positions (one weight vector): plain, or the masked row's.
template <class V, int K, bool MASKED>
__attribute__((always_inline)) inline typename Wide<V, K>::reg row_leaves(typename V::reg wv, const float* const* x,
                                                                          std::ptrdiff_t off,
                                                                          const VectorMasks<V>& mk) {
  if constexpr (K == 1) {
    if constexpr (MASKED) return masked_leaf<V>(wv, x[0][off], mk);
    else return V::mul(wv, V::set1(x[0][off]));
  } else {
    typename Wide<V, K>::reg p;
    for (int k = 0; k < K; ++k) {
      if constexpr (MASKED) p.v[k] = masked_leaf<V>(wv, x[k][off], mk);
      else p.v[k] = V::mul(wv, V::set1(x[k][off]));
    }
    return p;
  }
}

// One step's trees of K positions for one vector of slots: leaf (row) = w[row] x the
// position's operand (one weight load serves the K positions), row MROW's through its
// masks (a template argument: no test per row, no mask state but the masks' registers).
template <class V, int K, int ROWS, int USED, int MROW>
__attribute__((always_inline)) inline typename Wide<V, K>::reg step_trees(const float* w, int stride,
                                                                          const float* const* x,
                                                                          const std::ptrdiff_t* off,
                                                                          const VectorMasks<V>& mk) {
  return column_sums::tree<Wide<V, K>, ROWS, 0, USED>([&](int row) __attribute__((always_inline)) {
    typename V::reg wv = V::load(w + static_cast<std::ptrdiff_t>(row) * stride);
    // One load for the K multiplies: GCC would fold it into each (K loads of the same vector).
    if constexpr (K > 1) __asm__("" : "+v"(wv));
    if (row == MROW) return row_leaves<V, K, true>(wv, x, off[row], mk);
    return row_leaves<V, K, false>(wv, x, off[row], mk);
  });
}

// The slots' psum masks (identity in the other lanes) on one step's sums, as the exact
// psum pass (canonical first) or the masked one (keeps_nans masks) applies them.
template <class V, int K>
__attribute__((always_inline)) inline void psum_masks(typename Wide<V, K>::reg& sums, const VectorMasks<V>& mk) {
  for (int k = 0; k < K; ++k) {
    typename V::reg* v;
    if constexpr (K == 1) v = &sums;
    else v = &sums.v[k];
    if (mk.psum_canonical) *v = V::canonical(*v);
    *v = V::mask(*v, mk.psum_keep, mk.psum_force);
  }
}


// K positions from i through every step of the run, for the slot vector at `slot`: the
// accumulators stay in registers.
template <class V, int K, int ROWS, int USED, bool FIRST, int MROW>
__attribute__((always_inline)) inline void positions(const SlotInput& in, int i, int slot, float* acc,
                                                     const VectorMasks<V>& mk) {
  const float* x[K];
  for (int k = 0; k < K; ++k) x[k] = in.x + in.pos[i + k];
  float* a = acc + static_cast<std::ptrdiff_t>(i) * in.stride + slot;
  const float* w = in.w + slot;
  const std::ptrdiff_t row_stride = static_cast<std::ptrdiff_t>(ROWS) * in.stride;
  const auto sums = [&](int s) __attribute__((always_inline)) {
    typename Wide<V, K>::reg t =
        step_trees<V, K, ROWS, USED, MROW>(w + s * row_stride, in.stride, x, in.x_off + s * ROWS, mk);
    if constexpr (MROW != kPlain)
      if (mk.psum) psum_masks<V, K>(t, mk);
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
template <class V, int ROWS, int USED, bool FIRST, int MROW>
void slot_run(const SlotInput& in, int count, float* acc) {
  constexpr int K = V::unroll;
  for (int slot = 0; slot < in.slots; slot += V::lanes) {
    const VectorMasks<V> mk(in, MROW, slot, static_cast<std::ptrdiff_t>(ROWS) * in.stride);
    int i = 0;
    for (; i + K <= count; i += K) positions<V, K, ROWS, USED, FIRST, MROW>(in, i, slot, acc, mk);
    for (; i < count; ++i) positions<V, 1, ROWS, USED, FIRST, MROW>(in, i, slot, acc, mk);
  }
}

template <class V, int ROWS, int USED, int MROW>
void slot_kernel(const SlotInput& in, int count, float* acc, bool first) {
  if (first)
    slot_run<V, ROWS, USED, true, MROW>(in, count, acc);
  else
    slot_run<V, ROWS, USED, false, MROW>(in, count, acc);
}

// The masked kernels of USED busy rows, by masked row + 1 (0: none).
template <class V, int ROWS, int USED, std::size_t... M>
SlotFn masked_kernel(int row, std::index_sequence<M...>) {
  static constexpr SlotFn table[] = {slot_kernel<V, ROWS, USED, static_cast<int>(M) - 1>...};
  return row >= -1 && row < USED ? table[row + 1] : nullptr;
}

template <class V, int ROWS, int USED>
SlotFn masked_kernel(int row) {
  return masked_kernel<V, ROWS, USED>(row, std::make_index_sequence<USED + 1>());
}

// The plain kernels of 1..ROWS busy rows, indexed by used - 1.
template <class V, int ROWS, std::size_t... U>
SlotFn plain_for(int used, std::index_sequence<U...>) {
  static constexpr SlotFn plain[] = {slot_kernel<V, ROWS, static_cast<int>(U) + 1, kPlain>...};
  return used >= 1 && used <= ROWS ? plain[used - 1] : nullptr;
}

// The masked kernels of 1..ROWS busy rows, masked at `row`.
template <class V, int ROWS, std::size_t... U>
SlotFn masked_for(int used, int row, std::index_sequence<U...>) {
  static constexpr SlotFn (*masked_of[])(int) = {masked_kernel<V, ROWS, static_cast<int>(U) + 1>...};
  return used >= 1 && used <= ROWS ? masked_of[used - 1](row) : nullptr;
}

// Masked kernels for 8-row trees only (the small preset: instantiations kept few).
template <class V>
SlotFn slot_kernel_for(int rows, int used, bool masked, int row) {
  if (masked) return rows == 8 ? masked_for<V, 8>(used, row, std::make_index_sequence<8>()) : nullptr;
  switch (rows) {
    case 8: return plain_for<V, 8>(used, std::make_index_sequence<8>());
    case 16: return plain_for<V, 16>(used, std::make_index_sequence<16>());
    default: return nullptr;
  }
}

}  // namespace
}  // namespace accsim::slot_sums
