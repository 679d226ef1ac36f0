#pragma once
// The slot kernels of slot_sums, written once for any vector width (V: reg, lanes, load,
// store, set1, mul, add, zero, canonical; bits, load_bits, mask, mask_fp16; lane_set,
// lanes_of, merge_mul; unroll: positions per step). Included by slot_sums.cpp
// (AVX2) and slot_sums_avx512.cpp (compiled for AVX-512); internal linkage, as
// column_trees.h, whose `tree` gives the array's pairing.
#include <immintrin.h>

#include <cstdint>
#include <iterator>
#include <utility>

#include "kernels/column_trees.h"
#include "kernels/slot_sums.h"

namespace accsim::slot_sums {
namespace {

using column_sums::Wide;

// MROW: the plain kernels (no masks), or the masked ones' one masked row (-1: none).
constexpr int kPlain = -2;
static_assert(kMaxSlotRows <= 32, "masked rows are bits of an unsigned");

// Lane k of K vectors side by side (K = 1: the vector itself).
template <class V, int K>
__attribute__((always_inline)) inline typename V::reg& lane_of(typename Wide<V, K>::reg& r, int k) {
  if constexpr (K == 1) return r;
  else return r.v[k];
}

// The MASKED kernels' masks of one vector of slots, held in registers over a run: the
// masked row's input (fp32 view, or kFp16Input: the word; kMaskedOperand: only the lanes
// that read the masked operand) and product masks, as KIND (MaskKind bits) says it has
// them, and the psum masks (identity in the lanes without one).
template <class V>
struct VectorMasks {
  typename V::bits input_keep, input_force, product_keep, product_force, psum_keep, psum_force;
  typename V::lane_set xm_lanes;
  bool psum, psum_canonical;
  VectorMasks(const SlotInput& in, int row, unsigned kind, int slot, std::ptrdiff_t plane) {
    const std::uint32_t* m = row >= 0 ? in.masks + static_cast<std::ptrdiff_t>(row) * in.stride + slot : nullptr;
    const bool operand = kind & kMaskedOperand;
    const bool input = (kind & kInputMask) && !operand, product = kind & kProductMask;
    psum = in.psum != nullptr, psum_canonical = in.psum_canonical;
    xm_lanes = V::lanes_of(V::load_bits(operand ? in.xm_lanes + slot : nullptr));
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

// One leaf of one position: w x the operand, through the masks KIND names (0: a plain
// leaf; identity in the lanes without a fault): the input's on the operand (kFp16Input:
// on its word; kMaskedOperand: xm, the operand through them, in their lanes), the
// product's on the canonical product, as masked_row computes them. KIND is known at
// compile time: the leaf tests nothing.
template <class V, unsigned KIND>
__attribute__((always_inline)) inline typename V::reg leaf(typename V::reg w, float x, float xm,
                                                           const VectorMasks<V>& mk) {
  if constexpr ((KIND & kMaskedOperand) != 0) return V::merge_mul(V::mul(w, V::set1(x)), mk.xm_lanes, w, V::set1(xm));
  typename V::reg in = V::set1(x);
  if constexpr ((KIND & kFp16Input) != 0) in = V::mask_fp16(operand_word(x), mk.input_keep, mk.input_force);
  else if constexpr ((KIND & kInputMask) != 0) in = V::mask(in, mk.input_keep, mk.input_force);
  const typename V::reg p = V::mul(w, in);
  if constexpr ((KIND & kProductMask) != 0) return V::mask(V::canonical(p), mk.product_keep, mk.product_force);
  return p;
}

// One row's leaves of K positions (one weight vector; kMaskedOperand: the masked
// operand at xm_off, in the same buffer).
template <class V, int K, unsigned KIND>
__attribute__((always_inline)) inline typename Wide<V, K>::reg row_leaves(typename V::reg wv, const float* const* x,
                                                                          std::ptrdiff_t off, std::ptrdiff_t xm_off,
                                                                          const VectorMasks<V>& mk) {
  typename Wide<V, K>::reg p;
  for (int k = 0; k < K; ++k)
    lane_of<V, K>(p, k) = leaf<V, KIND>(wv, x[k][off], (KIND & kMaskedOperand) != 0 ? x[k][xm_off] : 0.0f, mk);
  return p;
}

// One step's trees of K positions for one vector of slots: leaf (row) = w[row] x the
// position's operand (one weight load serves the K positions), row MROW's through its
// KIND of masks (template arguments: no test per row or leaf, no mask state but the
// masks' registers).
template <class V, int K, int ROWS, int USED, int MROW, unsigned KIND, bool ZERO = true>
__attribute__((always_inline)) inline typename Wide<V, K>::reg step_trees(const float* w, int stride,
                                                                          const float* const* x,
                                                                          const std::ptrdiff_t* off,
                                                                          std::ptrdiff_t xm_off,
                                                                          const VectorMasks<V>& mk) {
  return column_sums::tree<Wide<V, K>, ROWS, 0, USED, ZERO>([&](int row) __attribute__((always_inline)) {
    typename V::reg wv = V::load(w + static_cast<std::ptrdiff_t>(row) * stride);
    // One load for the K multiplies: GCC would fold it into each (K loads of the same vector).
    if constexpr (K > 1) __asm__("" : "+v"(wv));
    if (row == MROW) return row_leaves<V, K, KIND>(wv, x, off[row], xm_off, mk);
    return row_leaves<V, K, 0>(wv, x, off[row], 0, mk);
  });
}

// The slots' psum masks (identity in the other lanes) on one step's sums, as the exact
// psum pass (canonical first) or the masked one (keeps_nans masks) applies them.
template <class V, int K>
__attribute__((always_inline)) inline void psum_masks(typename Wide<V, K>::reg& sums, const VectorMasks<V>& mk) {
  for (int k = 0; k < K; ++k) {
    typename V::reg& v = lane_of<V, K>(sums, k);
    if (mk.psum_canonical) v = V::canonical(v);
    v = V::mask(v, mk.psum_keep, mk.psum_force);
  }
}

// K positions idx[0, K) through every step of the run, for the slot vector at `slot`:
// the accumulators stay in registers. A first run starts them at -0, which x + (-0)
// leaves as it is (x non-NaN, -0 included; a NaN stays a NaN, canonicalised on the way
// out): the first step's sum itself, as the lane kernels store it, with no tree of its
// own. ENTRY (K = 1): the position's entry is stuck, its masks at `entry` ([keep,
// force][slot]) on every step's canonical accumulation, as the accumulator stores it.
// LEAN (plain kernels): the steps after a first one without the idle rows' +0
// (column_trees.h's tree), for accumulators that are never -0 before a step.
template <class V, int K, int ROWS, int USED, int MROW, unsigned KIND, bool ENTRY = false, bool LEAN = false>
__attribute__((always_inline)) inline void positions(const SlotInput& in, const int* idx, int slot, float* acc,
                                                     bool first, const VectorMasks<V>& mk,
                                                     const std::uint32_t* entry = nullptr) {
  static_assert(!ENTRY || K == 1, "stuck entries one position at a time");
  constexpr bool operand = (KIND & kMaskedOperand) != 0;
  const float* x[K];
  float* a[K];
  for (int k = 0; k < K; ++k)
    x[k] = in.x + in.pos[idx[k]], a[k] = acc + static_cast<std::ptrdiff_t>(idx[k]) * in.stride + slot;
  const float* w = in.w + slot;
  const std::ptrdiff_t row_stride = static_cast<std::ptrdiff_t>(ROWS) * in.stride;
  typename Wide<V, K>::reg e;
  for (int k = 0; k < K; ++k) lane_of<V, K>(e, k) = first ? V::set1(-0.0f) : V::load(a[k]);
  typename V::bits entry_keep{}, entry_force{};
  if constexpr (ENTRY) entry_keep = V::load_bits(entry + slot), entry_force = V::load_bits(entry + in.stride + slot);
  if constexpr (LEAN) {
    static_assert(MROW == kPlain, "plain kernels only");
    int s = 0;
    if (first) {  // the first step's sum with its +0: the accumulators start at -0
      e = Wide<V, K>::add(e, step_trees<V, K, ROWS, USED, MROW, KIND>(w, in.stride, x, in.x_off, 0, mk));
      s = 1;
    }
    for (; s < in.steps; ++s)
      e = Wide<V, K>::add(e, step_trees<V, K, ROWS, USED, MROW, KIND, false>(w + s * row_stride, in.stride, x,
                                                                              in.x_off + s * ROWS, 0, mk));
  } else {
    for (int s = 0; s < in.steps; ++s) {
      typename Wide<V, K>::reg t =
          step_trees<V, K, ROWS, USED, MROW, KIND>(w + s * row_stride, in.stride, x, in.x_off + s * ROWS,
                                                   operand ? in.xm_off[s] : 0, mk);
      // A stuck entry's first step writes the step's sum itself, NaN bits included
      // (Accumulator::write overwrites): the canonical sum through the psum masks.
      const bool overwrite = ENTRY && first && s == 0;
      if constexpr (ENTRY)
        if (overwrite) t = V::canonical(t);
      if constexpr (MROW != kPlain)
        if (mk.psum) psum_masks<V, K>(t, mk);
      if constexpr (ENTRY) e = V::mask(overwrite ? t : V::canonical(V::add(e, t)), entry_keep, entry_force);
      else e = Wide<V, K>::add(e, t);
    }
  }
  for (int k = 0; k < K; ++k) V::store(a[k], lane_of<V, K>(e, k));
}

// A slot vector's positions [0, count) K at a time (the last ones alone).
template <class V, int ROWS, int USED, int MROW, unsigned KIND, bool LEAN>
__attribute__((always_inline)) inline void plain_positions(const SlotInput& in, int count, int slot, float* acc,
                                                           bool first, const VectorMasks<V>& mk) {
  constexpr int K = V::unroll;
  int idx[K];
  int i = 0;
  for (; i + K <= count; i += K) {
    for (int k = 0; k < K; ++k) idx[k] = i + k;
    positions<V, K, ROWS, USED, MROW, KIND, false, LEAN>(in, idx, slot, acc, first, mk);
  }
  for (; i < count; ++i) positions<V, 1, ROWS, USED, MROW, KIND, false, LEAN>(in, &i, slot, acc, first, mk);
}

// The same with stuck accumulator entries (SlotInput::entry): each position of a phase
// with a stuck entry alone through its masks, the others K at a time as they come.
template <class V, int ROWS, int USED, int MROW, unsigned KIND>
void entry_positions(const SlotInput& in, int count, int slot, float* acc, bool first, const VectorMasks<V>& mk) {
  constexpr int K = V::unroll;
  int idx[K];
  int n = 0, phase = in.entry_phase0;
  for (int i = 0; i < count; ++i, phase = phase + 1 == in.entry_period ? 0 : phase + 1) {
    if (in.entry_phases[phase]) {
      const std::uint32_t* masks = in.entry + static_cast<std::ptrdiff_t>(phase) * 2 * in.stride;
      positions<V, 1, ROWS, USED, MROW, KIND, true>(in, &i, slot, acc, first, mk, masks);
      continue;
    }
    idx[n++] = i;
    if (n == K) positions<V, K, ROWS, USED, MROW, KIND>(in, idx, slot, acc, first, mk), n = 0;
  }
  for (int k = 0; k < n; ++k) positions<V, 1, ROWS, USED, MROW, KIND>(in, idx + k, slot, acc, first, mk);
}

// Every slot vector, positions outer, steps inner: one vector's weights of every step
// stay in L1 over the positions. Stuck entries: the kernel of no masked row only.
template <class V, int ROWS, int USED, int MROW, unsigned KIND, bool LEAN = false>
void slot_kernel(const SlotInput& in, int count, float* acc, bool first) {
  static_assert(ROWS <= kMaxSlotRows, "kernels exist for kMaxSlotRows rows at most");
  for (int slot = 0; slot < in.slots; slot += V::lanes) {
    const VectorMasks<V> mk(in, MROW, KIND, slot, static_cast<std::ptrdiff_t>(ROWS) * in.stride);
    if constexpr (MROW == -1)
      if (in.entry) {
        entry_positions<V, ROWS, USED, MROW, KIND>(in, count, slot, acc, first, mk);
        continue;
      }
    plain_positions<V, ROWS, USED, MROW, KIND, LEAN>(in, count, slot, acc, first, mk);
  }
}

// The masked row's kinds a masked kernel is made for, in table order: the input on the
// fp32 view or the fp16 word, the product, or both; the input through the masked operand.
// Sanitized builds make the two kinds with every mask only (compile time), which compute
// the others with identity masks where a kind is absent (the same bits, NaN payloads
// aside: the caller canonicalises) and kMaskedOperand's from the input masks (which the
// caller gives as well).
#ifdef __SANITIZE_ADDRESS__
constexpr unsigned kKinds[] = {kInputMask | kProductMask, kInputMask | kFp16Input | kProductMask};
#else
constexpr unsigned kKinds[] = {kInputMask,
                               kInputMask | kFp16Input,
                               kProductMask,
                               kInputMask | kProductMask,
                               kInputMask | kFp16Input | kProductMask,
                               kInputMask | kMaskedOperand,
                               kInputMask | kFp16Input | kMaskedOperand};
#endif
constexpr int kKindCount = static_cast<int>(std::size(kKinds));

// Whether table kind t computes `kind`: all its masks, where it masks the input on the
// job's view (kFp16Input in `kind` names an fp16 job: its identity input masks are words,
// wrong on the fp32 view), the masked operand only where the caller gives it.
constexpr bool computes(unsigned t, unsigned kind) {
  const unsigned masks = kind & (kInputMask | kProductMask);
  return (t & masks) == masks && (!(t & kInputMask) || ((t ^ kind) & kFp16Input) == 0) &&
         (!(t & kMaskedOperand) || (kind & kMaskedOperand));
}

// The kind itself where the table has it, else the first kind that computes it; -1: none.
constexpr int kind_index(unsigned kind) {
  for (int i = 0; i < kKindCount; ++i)
    if (kKinds[i] == kind) return i;
  for (int i = 0; i < kKindCount; ++i)
    if (computes(kKinds[i], kind)) return i;
  return -1;
}

// The masked kernels of USED busy rows: [row * kKindCount + kind index] for the masked
// rows [0, USED); row -1 (psum masks only) apart.
template <class V, int ROWS, int USED, std::size_t... M>
SlotFn masked_kernel(int row, unsigned kind, std::index_sequence<M...>) {
  static constexpr SlotFn table[] = {
      slot_kernel<V, ROWS, USED, static_cast<int>(M) / kKindCount, kKinds[M % kKindCount]>...};
  if (row == -1) return slot_kernel<V, ROWS, USED, -1, 0>;
  const int k = kind_index(kind);
  return row >= 0 && row < USED && k >= 0 ? table[row * kKindCount + k] : nullptr;
}

template <class V, int ROWS, int USED>
SlotFn masked_kernel(int row, unsigned kind) {
  return masked_kernel<V, ROWS, USED>(row, kind, std::make_index_sequence<USED * kKindCount>());
}

// The plain kernels of 1..ROWS busy rows, indexed by used - 1 (lean or not).
template <class V, int ROWS, std::size_t... U>
SlotFn plain_for(int used, bool lean, std::index_sequence<U...>) {
  static constexpr SlotFn plain[] = {slot_kernel<V, ROWS, static_cast<int>(U) + 1, kPlain, 0>...};
  static constexpr SlotFn lean_plain[] = {slot_kernel<V, ROWS, static_cast<int>(U) + 1, kPlain, 0, true>...};
  return used >= 1 && used <= ROWS ? (lean ? lean_plain : plain)[used - 1] : nullptr;
}

// The masked kernels of 1..ROWS busy rows, masked at `row` with `kind`.
template <class V, int ROWS, std::size_t... U>
SlotFn masked_for(int used, int row, unsigned kind, std::index_sequence<U...>) {
  static constexpr SlotFn (*masked_of[])(int, unsigned) = {masked_kernel<V, ROWS, static_cast<int>(U) + 1>...};
  return used >= 1 && used <= ROWS ? masked_of[used - 1](row, kind) : nullptr;
}

// Masked kernels for 8-row trees only (the small preset: instantiations kept few).
template <class V>
SlotFn slot_kernel_for(int rows, int used, bool masked, int row, unsigned kind, bool lean) {
  if (masked) return rows == 8 ? masked_for<V, 8>(used, row, kind, std::make_index_sequence<8>()) : nullptr;
  switch (rows) {
    case 8: return plain_for<V, 8>(used, lean, std::make_index_sequence<8>());
    case 16: return plain_for<V, 16>(used, lean, std::make_index_sequence<16>());
    default: return nullptr;
  }
}

}  // namespace
}  // namespace accsim::slot_sums
