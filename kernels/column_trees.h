#pragma once
// The vector adder trees of column_sums, written once for any vector width. V is a
// SIMD traits struct (kernels/simd_avx2.h or simd_avx512.h: reg, lanes, load, store, set1,
// mul, add, zero, canonical; and apply).
// Included by column_sums.cpp (AVX2) and column_sums_avx512.cpp (compiled for
// AVX-512): the same IEEE operations per lane in the same order, so both give the
// same bits. Everything here has internal linkage: each including file keeps its own
// copy, compiled for its own instruction set.
#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "kernels/column_sums.h"

namespace accsim::column_sums {
namespace {

constexpr int largest_pow2_below(int n) {
  int h = 1;
  while (h * 2 < n) h *= 2;
  return h;
}

// The adder tree over rows [B, B + N), kept in registers. adder_tree's level-by-level
// pairing (2i + 2i+1, an odd last element passing up) is the aligned binary tree
// clipped to N: split at the largest power of two below N, left + right. Rows from
// USED on are idle leaves of +0 (see accumulate_fn): a subtree of them is +0 and joins
// as "+ 0" only when the left part took no +0 yet (it is then a whole subtree). !ZERO:
// without that +0, which turns only a -0 sum into +0: the sum is then the tree's or a -0
// where the tree's is +0, which an accumulation adds alike to any entry but -0 (for
// kernels whose entry is never -0 before the step: see accumulate_lanes).
template <class V, int N, int B, int USED, bool ZERO = true, class Leaf>
__attribute__((always_inline)) inline typename V::reg tree(const Leaf& leaf) {
  if constexpr (N == 1) {
    return leaf(B);
  } else {
    constexpr int H = largest_pow2_below(N);
    const typename V::reg l = tree<V, H, B, USED, ZERO>(leaf);
    if constexpr (B + H >= USED) {  // the right part is idle
      if constexpr (B + H > USED || !ZERO) return l;  // the left part is partial: it took its +0
      else return V::add(l, V::zero());
    } else {
      return V::add(l, tree<V, N - H, B + H, USED, ZERO>(leaf));
    }
  }
}

inline const float* row_of(const float* x, int row) { return x + static_cast<std::ptrdiff_t>(row) * kRowStride; }

// K vectors of lanes side by side, added lane by lane: the trees of K vectors built
// together share each leaf's weight broadcast (one load for K multiplies).
template <class V, int K>
struct Wide {
  struct reg {
    typename V::reg v[K];
  };
  __attribute__((always_inline)) static reg add(const reg& a, const reg& b) {
    reg s;
    for (int k = 0; k < K; ++k) s.v[k] = V::add(a.v[k], b.v[k]);
    return s;
  }
  __attribute__((always_inline)) static reg zero() {
    reg z;
    for (int k = 0; k < K; ++k) z.v[k] = V::zero();
    return z;
  }
};

// One vector: V itself (no struct around the register; a struct of vectors multiplies
// the sanitizers' compile time, see column_sums_avx512.cpp).
template <class V>
struct Wide<V, 1> : V {};

template <class V, int K>
__attribute__((always_inline)) inline typename V::reg lane(const typename Wide<V, K>::reg& r, int k) {
  if constexpr (K == 1) return r;
  else return r.v[k];
}

// The weights and operand rows of one call. Up to half the vector registers' worth of
// weights are broadcast once into registers; more stay in memory and each leaf
// broadcasts its own (64 rows' weights in registers spill, and setting them up cost a
// quarter of a 128-lane call). A SPECIAL kernel's masked rows (c.special) read
// c.leaves: a row with a product mask its product, at weight 1 (1 x p is p bit for bit,
// no flush to zero, a NaN stays a NaN), a row with only an input mask its masked input,
// at its weight (the multiply masked_row would do); the tree tests nothing per leaf.
template <class V, int USED, bool SPECIAL>
struct TreeRows {
  static constexpr bool kHeld = 2 * USED <= V::registers;
  const float* w;
  float special_w[SPECIAL ? USED : 1];
  typename V::reg held[kHeld ? USED : 1];
  const float* src[SPECIAL ? USED : 1];
  explicit TreeRows(const ColumnInput& c) : w(c.w) {
    if constexpr (SPECIAL) {
      const std::uint64_t special = c.special[0];
      const std::uint64_t products = special & c.product_rows[0];
      for (int row = 0; row < USED; ++row) {
        special_w[row] = products >> row & 1u ? 1.0f : c.w[row];
        src[row] = row_of(special >> row & 1u ? c.leaves : c.x, row);
      }
      w = special_w;
    }
    if constexpr (kHeld)
      for (int row = 0; row < USED; ++row) held[row] = V::set1(w[row]);
  }
  __attribute__((always_inline)) typename V::reg weight(int row) const {
    if constexpr (kHeld) return held[row];
    else return V::set1(w[row]);
  }
};

// The trees of K vectors of lanes from lane v: leaf `row` is w x x (SPECIAL: x from
// src[row]). The leaves are forced inline: the whole tree must stay in registers.
template <class V, int K, int ROWS, int USED, bool SPECIAL, bool ZERO>
__attribute__((always_inline)) inline typename Wide<V, K>::reg lane_trees(const float* x,
                                                                          const TreeRows<V, USED, SPECIAL>& r, int v) {
  return tree<Wide<V, K>, ROWS, 0, USED, ZERO>([&](int row) __attribute__((always_inline)) {
    const typename V::reg w = r.weight(row);
    const float* in = (SPECIAL ? r.src[row] : row_of(x, row)) + v;
    if constexpr (K == 1) {
      return V::mul(w, V::load(in));
    } else {
      typename Wide<V, K>::reg p;
      for (int k = 0; k < K; ++k) p.v[k] = V::mul(w, V::load(in + k * V::lanes));
      return p;
    }
  });
}

// One vector's sum into acc. PSUM exact: the psum register's mask on the canonical sum,
// canonical accumulation; masked: the mask on the sum as it is, plain accumulation
// (keeps_nans masks).
template <class V, bool FIRST, PsumPass PSUM>
__attribute__((always_inline)) inline void accumulate_vector(typename V::reg sum, const StuckMask& psum_mask,
                                                             float* acc) {
  if constexpr (PSUM == PsumPass::exact) sum = V::apply(psum_mask, V::canonical(sum));
  if constexpr (PSUM == PsumPass::masked) sum = V::apply(psum_mask, sum);
  if constexpr (!FIRST) sum = V::add(V::load(acc), sum);
  if constexpr (PSUM == PsumPass::exact && !FIRST) sum = V::canonical(sum);
  V::store(acc, sum);
}

// Every vector of lanes [0, count) (whole vectors: the rows and acc have slack past
// count), V::unroll vectors at a time, the last one alone when it is left over. A later
// step of a plain accumulation sums its tree without the idle rows' +0: its entry is
// never -0 (the first step's sum took the +0, and a sum is -0 only when both operands
// are); callers whose entries may be -0 (a flipped sum) take the exact kernels.
template <class V, int ROWS, int USED, bool FIRST, bool SPECIAL, PsumPass PSUM>
void accumulate_lanes(const ColumnInput& c, int count, float* acc) {
  constexpr int K = V::unroll;
  constexpr bool kZero = FIRST || PSUM != PsumPass::none;
  const float* x = c.x;
  const StuckMask psum_mask = c.psum;
  const TreeRows<V, USED, SPECIAL> r(c);
  int v = 0;
  for (; v + (K - 1) * V::lanes < count; v += K * V::lanes) {
    const typename Wide<V, K>::reg sums = lane_trees<V, K, ROWS, USED, SPECIAL, kZero>(x, r, v);
    for (int k = 0; k < K; ++k)
      accumulate_vector<V, FIRST, PSUM>(lane<V, K>(sums, k), psum_mask, acc + v + k * V::lanes);
  }
  for (; v < count; v += V::lanes)
    accumulate_vector<V, FIRST, PSUM>(lane_trees<V, 1, ROWS, USED, SPECIAL, kZero>(x, r, v), psum_mask, acc + v);
}

template <class V, int ROWS, int USED, bool SPECIAL, PsumPass PSUM>
void accumulate(const ColumnInput& c, int, int count, float* acc, bool first) {
  if (first)
    accumulate_lanes<V, ROWS, USED, true, SPECIAL, PSUM>(c, count, acc);
  else
    accumulate_lanes<V, ROWS, USED, false, SPECIAL, PSUM>(c, count, acc);
}

// accumulate<ROWS, 1..ROWS, SPECIAL, PSUM>, indexed by used - 1.
template <class V, int ROWS, bool SPECIAL, PsumPass PSUM, std::size_t... U>
constexpr std::array<AccumulateFn, ROWS> accumulate_table(std::index_sequence<U...>) {
  return {accumulate<V, ROWS, static_cast<int>(U) + 1, SPECIAL, PSUM>...};
}

template <class V, int ROWS, bool SPECIAL, PsumPass PSUM>
AccumulateFn accumulate_for(int used) {
  static constexpr std::array<AccumulateFn, ROWS> table =
      accumulate_table<V, ROWS, SPECIAL, PSUM>(std::make_index_sequence<ROWS>());
  return table[static_cast<std::size_t>(std::clamp(used, 1, ROWS) - 1)];
}

// One masked row's leaves, lanes [0, count): the input through its mask (IN: on the
// fp32 view; FP16: on the words the values stand for), the product canonicalised before its mask (PRODUCT;
// the multiplier's output word is what the mask sees). Each case has its own loop.
template <class V, bool IN, bool FP16, bool PRODUCT>
void masked_row(const ColumnInput& c, std::ptrdiff_t base, int count, const StuckMask& im, const StuckMask& pm,
                float weight) {
  const typename V::reg w = V::set1(weight);
  for (int v = 0; v < count; v += V::lanes) {
    typename V::reg in;
    if constexpr (FP16) in = V::masked_fp16(im, c.x + base + v);
    else if constexpr (IN) in = V::apply(im, V::load(c.x + base + v));
    else in = V::load(c.x + base + v);
    typename V::reg p = V::mul(w, in);
    if constexpr (PRODUCT) p = V::apply(pm, V::canonical(p));
    V::store(c.leaves + base + v, p);
  }
}

// One row's masked inputs (a PE with only an input mask: the tree multiplies them by
// its weight, the same multiply).
template <class V, bool FP16>
void masked_input(const ColumnInput& c, std::ptrdiff_t base, int count, const StuckMask& im, const StuckMask&, float) {
  for (int v = 0; v < count; v += V::lanes) {
    if constexpr (FP16) V::store(c.leaves + base + v, V::masked_fp16(im, c.x + base + v));
    else V::store(c.leaves + base + v, V::apply(im, V::load(c.x + base + v)));
  }
}

// The leaves of the rows in `special` (FP16: input masks act on the words): products
// of rows with a product mask, masked inputs of rows with only an input mask.
template <class V, bool FP16>
void masked_leaves(const ColumnInput& c, int rows, int count, const std::uint64_t* special) {
  using RowFn = void (*)(const ColumnInput&, std::ptrdiff_t, int, const StuckMask&, const StuckMask&, float);
  // [input masked][product masked] (no mask: never a special row)
  static constexpr RowFn kRow[2][2] = {{masked_row<V, false, false, false>, masked_row<V, false, false, true>},
                                       {masked_input<V, FP16>, masked_row<V, true, FP16, true>}};
  for (int word = 0; word < (rows + 63) / 64; ++word)
    for (std::uint64_t bits = special[word]; bits; bits &= bits - 1) {
      const int row = word * 64 + __builtin_ctzll(bits);
      const StuckMask& im = c.im[row];
      const StuckMask& pm = c.pm[row];
      kRow[!im.identity()][!pm.identity()](c, static_cast<std::ptrdiff_t>(row) * kRowStride, count, im, pm, c.w[row]);
    }
}

template <class V>
LeavesFn leaves_for(DataType t) {
  switch (t) {
    case DataType::fp32:
    case DataType::bf16: return masked_leaves<V, false>;
    case DataType::fp16: return masked_leaves<V, true>;
    case DataType::int8: break;
  }
  throw std::logic_error("masked_leaves_fn: no floating-point datapath for int8");
}

// The fused kernel of a power-of-two row count up to 64 (null for others).
template <class V, bool SPECIAL, PsumPass PSUM>
AccumulateFn tree_accumulate(int rows, int used) {
  switch (rows) {
    case 1: return accumulate_for<V, 1, SPECIAL, PSUM>(used);
    case 2: return accumulate_for<V, 2, SPECIAL, PSUM>(used);
    case 4: return accumulate_for<V, 4, SPECIAL, PSUM>(used);
    case 8: return accumulate_for<V, 8, SPECIAL, PSUM>(used);
    case 16: return accumulate_for<V, 16, SPECIAL, PSUM>(used);
    case 32: return accumulate_for<V, 32, SPECIAL, PSUM>(used);
    case 64: return accumulate_for<V, 64, SPECIAL, PSUM>(used);
    default: return nullptr;
  }
}

template <class V, PsumPass PSUM>
AccumulateFn tree_accumulate(int rows, int used, bool special) {
  return special ? tree_accumulate<V, true, PSUM>(rows, used) : tree_accumulate<V, false, PSUM>(rows, used);
}

template <class V>
AccumulateFn tree_accumulate(int rows, int used, bool special, PsumPass psum) {
  switch (psum) {
    case PsumPass::none: return tree_accumulate<V, PsumPass::none>(rows, used, special);
    case PsumPass::exact: return tree_accumulate<V, PsumPass::exact>(rows, used, special);
    case PsumPass::masked: return tree_accumulate<V, PsumPass::masked>(rows, used, special);
  }
  return nullptr;
}

}  // namespace
}  // namespace accsim::column_sums
