#include "kernels/column_sums.h"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>

#include "arch/pe_array.h"

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
// as "+ 0" only when the left part took no +0 yet (it is then a whole subtree).
template <int N, int B, int USED, class Leaf>
__attribute__((always_inline)) inline __m256 tree(const Leaf& leaf) {
  if constexpr (N == 1) {
    return leaf(B);
  } else {
    constexpr int H = largest_pow2_below(N);
    const __m256 l = tree<H, B, USED>(leaf);
    if constexpr (B + H >= USED) {  // the right part is idle
      if constexpr (B + H > USED) return l;  // the left part is partial: it took its +0
      else return _mm256_add_ps(l, _mm256_setzero_ps());
    } else {
      return _mm256_add_ps(l, tree<N - H, B + H, USED>(leaf));
    }
  }
}

inline const float* row_of(const float* x, int row) { return x + static_cast<std::ptrdiff_t>(row) * kRowStride; }

// The tree of one vector of lanes: leaf `row` is w x x, or (SPECIAL) the precomputed
// product of a masked row. The leaves are forced inline: the whole tree must stay in
// registers.
template <int ROWS, int USED, bool SPECIAL>
__attribute__((always_inline)) inline __m256 lane_tree(const float* x, const __m256* w, std::uint64_t special,
                                                       const float* leaves, int v) {
  return tree<ROWS, 0, USED>([&](int row) __attribute__((always_inline)) {
    if (SPECIAL && (special >> row & 1u)) return _mm256_loadu_ps(row_of(leaves, row) + v);
    return _mm256_mul_ps(w[row], _mm256_loadu_ps(row_of(x, row) + v));
  });
}

// The weights are broadcast once per call into locals (a store to acc could alias them).
// EXACT: the psum register's mask on the canonical sum, canonical accumulation.
template <int ROWS, int USED, bool FIRST, bool SPECIAL, bool EXACT = false>
void accumulate_lanes(const ColumnInput& c, int count, float* acc) {
  const std::uint64_t special = SPECIAL ? c.special[0] : 0;
  const float* x = c.x;
  const float* leaves = c.leaves;
  const StuckMask psum_mask = c.psum;
  __m256 w[USED];
  for (int row = 0; row < USED; ++row) w[row] = _mm256_broadcast_ss(c.w + row);
  for (int v = 0; v < count; v += kLanes) {
    __m256 sum = lane_tree<ROWS, USED, SPECIAL>(x, w, special, leaves, v);
    if constexpr (EXACT) sum = apply(psum_mask, canonical(sum));
    if constexpr (!FIRST) sum = _mm256_add_ps(_mm256_loadu_ps(acc + v), sum);
    if constexpr (EXACT && !FIRST) sum = canonical(sum);
    _mm256_storeu_ps(acc + v, sum);
  }
}

template <int ROWS, bool SPECIAL>
void exact_accumulate(const ColumnInput& c, int, int count, float* acc, bool first) {
  if (first)
    accumulate_lanes<ROWS, ROWS, true, SPECIAL, true>(c, count, acc);
  else
    accumulate_lanes<ROWS, ROWS, false, SPECIAL, true>(c, count, acc);
}

template <int ROWS, int USED, bool SPECIAL>
void accumulate(const ColumnInput& c, int, int count, float* acc, bool first) {
  if (first)
    accumulate_lanes<ROWS, USED, true, SPECIAL>(c, count, acc);
  else
    accumulate_lanes<ROWS, USED, false, SPECIAL>(c, count, acc);
}

template <int ROWS, bool SPECIAL>
void sums(const ColumnInput& c, int, int count, float* psum) {
  const std::uint64_t special = SPECIAL ? c.special[0] : 0;
  __m256 w[ROWS];
  for (int row = 0; row < ROWS; ++row) w[row] = _mm256_broadcast_ss(c.w + row);
  for (int v = 0; v < count; v += kLanes)
    _mm256_storeu_ps(psum + v, canonical(lane_tree<ROWS, ROWS, SPECIAL>(c.x, w, special, c.leaves, v)));
}

// Eight fp16 input words through an input register's stuck-at mask, as fp32.
inline __m256 masked_fp16(const StuckMask& m, const std::uint16_t* words) {
  const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(words));
  const __m128i keep = _mm_set1_epi16(static_cast<short>(m.keep & 0xffffu));
  const __m128i force = _mm_set1_epi16(static_cast<short>(m.force & 0xffffu));
  return _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(w, keep), force));
}

// A product is canonicalised before its mask (the multiplier's output word is what
// the mask sees).
template <DataType T>
void masked_leaves(const ColumnInput& c, int rows, int count, const std::uint64_t* special) {
  for (int row = 0; row < rows; ++row) {
    if (!(special[row / 64] >> (row % 64) & 1u)) continue;
    const StuckMask& im = c.im[row];
    const StuckMask& pm = c.pm[row];
    const __m256 w = _mm256_broadcast_ss(c.w + row);
    const std::ptrdiff_t base = static_cast<std::ptrdiff_t>(row) * kRowStride;
    for (int v = 0; v < count; v += kLanes) {
      __m256 in;
      if (im.identity())
        in = _mm256_loadu_ps(c.x + base + v);
      else if constexpr (T == DataType::fp16)
        in = masked_fp16(im, c.xw + base + v);
      else
        in = apply(im, _mm256_loadu_ps(c.x + base + v));
      __m256 p = _mm256_mul_ps(w, in);
      if (!pm.identity()) p = apply(pm, canonical(p));
      _mm256_storeu_ps(c.leaves + base + v, p);
    }
  }
}

// Any other row count: products (or the special rows' leaves) into scratch[row][i],
// then the array's adder_tree.
void generic_sums(const ColumnInput& c, int rows, int count, float* psum) {
  float* p = c.scratch;
  for (int row = 0; row < rows; ++row) {
    float* pr = p + static_cast<std::ptrdiff_t>(row) * count;
    if (c.special && (c.special[row / 64] >> (row % 64) & 1u)) {
      std::copy(row_of(c.leaves, row), row_of(c.leaves, row) + count, pr);
      continue;
    }
    const float* xr = row_of(c.x, row);
    const float w = c.w[row];
    for (int i = 0; i < count; ++i) pr[i] = fp32_mul(w, xr[i]);
  }
  adder_tree(p, rows, count);
  std::copy(p, p + count, psum);
}

void generic_accumulate(const ColumnInput& c, int rows, int count, float* acc, bool first) {
  alignas(32) float psum[kChunk + kSlack];
  generic_sums(c, rows, count, psum);
  for (int i = 0; i < count; ++i) acc[i] = first ? psum[i] : acc[i] + psum[i];
}

// accumulate<ROWS, 1..ROWS, SPECIAL>, indexed by used - 1.
template <int ROWS, bool SPECIAL, std::size_t... U>
constexpr std::array<AccumulateFn, ROWS> accumulate_table(std::index_sequence<U...>) {
  return {accumulate<ROWS, static_cast<int>(U) + 1, SPECIAL>...};
}

template <int ROWS, bool SPECIAL>
AccumulateFn accumulate_for(int used) {
  static constexpr std::array<AccumulateFn, ROWS> table =
      accumulate_table<ROWS, SPECIAL>(std::make_index_sequence<ROWS>());
  return table[static_cast<std::size_t>(std::clamp(used, 1, ROWS) - 1)];
}

template <bool SPECIAL>
AccumulateFn accumulate_rows(int rows, int used) {
  switch (rows) {
    case 1: return accumulate_for<1, SPECIAL>(used);
    case 2: return accumulate_for<2, SPECIAL>(used);
    case 4: return accumulate_for<4, SPECIAL>(used);
    case 8: return accumulate_for<8, SPECIAL>(used);
    case 16: return accumulate_for<16, SPECIAL>(used);
    case 32: return accumulate_for<32, SPECIAL>(used);
    case 64: return accumulate_for<64, SPECIAL>(used);
    default: return generic_accumulate;
  }
}

template <bool SPECIAL>
SumsFn sums_rows(int rows) {
  switch (rows) {
    case 1: return sums<1, SPECIAL>;
    case 2: return sums<2, SPECIAL>;
    case 4: return sums<4, SPECIAL>;
    case 8: return sums<8, SPECIAL>;
    case 16: return sums<16, SPECIAL>;
    case 32: return sums<32, SPECIAL>;
    case 64: return sums<64, SPECIAL>;
    default: return generic_sums;
  }
}

}  // namespace

AccumulateFn accumulate_fn(int rows, int used, bool special) {
  return special ? accumulate_rows<true>(rows, used) : accumulate_rows<false>(rows, used);
}

AccumulateFn exact_accumulate_fn(int rows, bool special) {
  switch (rows) {
    case 1: return special ? exact_accumulate<1, true> : exact_accumulate<1, false>;
    case 2: return special ? exact_accumulate<2, true> : exact_accumulate<2, false>;
    case 4: return special ? exact_accumulate<4, true> : exact_accumulate<4, false>;
    case 8: return special ? exact_accumulate<8, true> : exact_accumulate<8, false>;
    case 16: return special ? exact_accumulate<16, true> : exact_accumulate<16, false>;
    case 32: return special ? exact_accumulate<32, true> : exact_accumulate<32, false>;
    case 64: return special ? exact_accumulate<64, true> : exact_accumulate<64, false>;
    default: return nullptr;
  }
}

bool folds_idle_rows(int rows) { return rows <= 64 && (rows & (rows - 1)) == 0; }

SumsFn sums_fn(int rows, bool special) { return special ? sums_rows<true>(rows) : sums_rows<false>(rows); }

LeavesFn masked_leaves_fn(DataType t) {
  switch (t) {
    case DataType::fp32: return masked_leaves<DataType::fp32>;
    case DataType::fp16: return masked_leaves<DataType::fp16>;
    case DataType::bf16: return masked_leaves<DataType::bf16>;
    case DataType::int8: break;
  }
  throw std::logic_error("masked_leaves_fn: no floating-point datapath for int8");
}

}  // namespace accsim::column_sums
