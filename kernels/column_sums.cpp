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
// clipped to N: split at the largest power of two below N, left + right.
template <int N, int B, class Leaf>
__attribute__((always_inline)) inline __m256 tree(const Leaf& leaf) {
  if constexpr (N == 1) {
    return leaf(B);
  } else {
    constexpr int H = largest_pow2_below(N);
    const __m256 l = tree<H, B>(leaf);
    const __m256 r = tree<N - H, B + H>(leaf);
    return _mm256_add_ps(l, r);
  }
}

inline const float* row_of(const float* x, int row) { return x + static_cast<std::ptrdiff_t>(row) * kRowStride; }

// The tree of one vector of lanes: leaf `row` is w x x, the constant +0 for idle rows
// past USED, or (SPECIAL) the precomputed product of a masked row. The leaves are
// forced inline: the whole tree must stay in registers.
template <int ROWS, int USED, bool SPECIAL>
__attribute__((always_inline)) inline __m256 lane_tree(const float* x, const __m256* w, std::uint64_t special,
                                                       const float* leaves, int v) {
  return tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
    if (row >= USED) return _mm256_setzero_ps();
    if (SPECIAL && (special >> row & 1u)) return _mm256_loadu_ps(row_of(leaves, row) + v);
    return _mm256_mul_ps(w[row], _mm256_loadu_ps(row_of(x, row) + v));
  });
}

// The weights are broadcast once per call into locals (a store to acc could alias them).
template <int ROWS, int USED, bool FIRST, bool SPECIAL>
void accumulate_lanes(const ColumnInput& c, std::uint64_t special, int count, float* acc) {
  __m256 w[USED];
  for (int row = 0; row < USED; ++row) w[row] = _mm256_broadcast_ss(c.w + row);
  for (int v = 0; v < count; v += kLanes) {
    __m256 sum = lane_tree<ROWS, USED, SPECIAL>(c.x, w, special, c.leaves, v);
    if constexpr (!FIRST) sum = _mm256_add_ps(_mm256_loadu_ps(acc + v), sum);
    _mm256_storeu_ps(acc + v, sum);
  }
}

template <int ROWS, bool SPECIAL>
void sums_lanes(const ColumnInput& c, std::uint64_t special, int count, float* psum) {
  __m256 w[ROWS];
  for (int row = 0; row < ROWS; ++row) w[row] = _mm256_broadcast_ss(c.w + row);
  for (int v = 0; v < count; v += kLanes)
    _mm256_storeu_ps(psum + v, canonical(lane_tree<ROWS, ROWS, SPECIAL>(c.x, w, special, c.leaves, v)));
}

template <int ROWS, int USED>
void accumulate(const ColumnInput& c, int, int count, float* acc, bool first) {
  if (first)
    accumulate_lanes<ROWS, USED, true, false>(c, 0, count, acc);
  else
    accumulate_lanes<ROWS, USED, false, false>(c, 0, count, acc);
}

template <int ROWS>
void sums(const ColumnInput& c, int, int count, float* psum) {
  sums_lanes<ROWS, false>(c, 0, count, psum);
}

// Eight fp16 input words through an input register's stuck-at mask, as fp32.
inline __m256 masked_fp16(const StuckMask& m, const std::uint16_t* words) {
  const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(words));
  const __m128i keep = _mm_set1_epi16(static_cast<short>(m.keep & 0xffffu));
  const __m128i force = _mm_set1_epi16(static_cast<short>(m.force & 0xffffu));
  return _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(w, keep), force));
}

// The products of the rows whose PE has a non-identity input or product mask, into
// c.leaves; returns those rows as a bit set. A product is canonicalised before its
// mask (the multiplier's output word is what the mask sees).
template <DataType T>
std::uint64_t masked_leaves(const ColumnInput& c, int rows, int count) {
  std::uint64_t special = 0;
  for (int row = 0; row < rows; ++row) {
    const StuckMask& im = c.im[row];
    const StuckMask& pm = c.pm[row];
    if (im.identity() && pm.identity()) continue;
    special |= std::uint64_t{1} << row;
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
  return special;
}

template <DataType T, int ROWS>
void masked_accumulate(const ColumnInput& c, int, int count, float* acc, bool first) {
  const std::uint64_t special = masked_leaves<T>(c, ROWS, count);
  if (first)
    accumulate_lanes<ROWS, ROWS, true, true>(c, special, count, acc);
  else
    accumulate_lanes<ROWS, ROWS, false, true>(c, special, count, acc);
}

template <DataType T, int ROWS>
void masked_sums(const ColumnInput& c, int, int count, float* psum) {
  sums_lanes<ROWS, true>(c, masked_leaves<T>(c, ROWS, count), count, psum);
}

// Any other row count: products into scratch[row][i], then the array's adder_tree.
template <DataType T, bool MASKED>
void generic_sums(const ColumnInput& c, int rows, int count, float* psum) {
  float* p = c.scratch;
  for (int row = 0; row < rows; ++row) {
    const float* xr = row_of(c.x, row);
    float* pr = p + static_cast<std::ptrdiff_t>(row) * count;
    const float w = c.w[row];
    if constexpr (MASKED) {
      const StuckMask im = c.im[row], pm = c.pm[row];
      if constexpr (T == DataType::fp16) {
        const std::uint16_t* wr = c.xw + static_cast<std::ptrdiff_t>(row) * kRowStride;
        for (int i = 0; i < count; ++i)
          pr[i] = pm.apply(fp32_mul(w, fp16_to_fp32(static_cast<std::uint16_t>(im.apply(std::uint32_t{wr[i]})))));
      } else {
        for (int i = 0; i < count; ++i) pr[i] = pm.apply(fp32_mul(w, im.apply(xr[i])));
      }
    } else {
      for (int i = 0; i < count; ++i) pr[i] = fp32_mul(w, xr[i]);
    }
  }
  adder_tree(p, rows, count);
  std::copy(p, p + count, psum);
}

template <DataType T, bool MASKED>
void generic_accumulate(const ColumnInput& c, int rows, int count, float* acc, bool first) {
  alignas(32) float psum[kChunk + kSlack];
  generic_sums<T, MASKED>(c, rows, count, psum);
  for (int i = 0; i < count; ++i) acc[i] = first ? psum[i] : acc[i] + psum[i];
}

// accumulate<ROWS, 1..ROWS>, indexed by used - 1.
template <int ROWS, std::size_t... U>
constexpr std::array<AccumulateFn, ROWS> accumulate_table(std::index_sequence<U...>) {
  return {accumulate<ROWS, static_cast<int>(U) + 1>...};
}

template <int ROWS>
AccumulateFn accumulate_for(int used) {
  static constexpr std::array<AccumulateFn, ROWS> table = accumulate_table<ROWS>(std::make_index_sequence<ROWS>());
  return table[static_cast<std::size_t>(std::clamp(used, 1, ROWS) - 1)];
}

template <DataType T>
SumsFn masked_sums_for(int rows) {
  switch (rows) {
    case 1: return masked_sums<T, 1>;
    case 2: return masked_sums<T, 2>;
    case 4: return masked_sums<T, 4>;
    case 8: return masked_sums<T, 8>;
    case 16: return masked_sums<T, 16>;
    case 32: return masked_sums<T, 32>;
    case 64: return masked_sums<T, 64>;
    default: return generic_sums<T, true>;
  }
}

template <DataType T>
AccumulateFn masked_accumulate_for(int rows) {
  switch (rows) {
    case 1: return masked_accumulate<T, 1>;
    case 2: return masked_accumulate<T, 2>;
    case 4: return masked_accumulate<T, 4>;
    case 8: return masked_accumulate<T, 8>;
    case 16: return masked_accumulate<T, 16>;
    case 32: return masked_accumulate<T, 32>;
    case 64: return masked_accumulate<T, 64>;
    default: return generic_accumulate<T, true>;
  }
}

// f<T> for a floating-point datatype.
template <template <DataType> class F>
auto for_float(DataType t, int rows) {
  switch (t) {
    case DataType::fp32: return F<DataType::fp32>::get(rows);
    case DataType::fp16: return F<DataType::fp16>::get(rows);
    case DataType::bf16: return F<DataType::bf16>::get(rows);
    case DataType::int8: break;
  }
  throw std::logic_error("column_sums: no floating-point datapath for int8");
}
template <DataType T>
struct MaskedSums {
  static SumsFn get(int rows) { return masked_sums_for<T>(rows); }
};
template <DataType T>
struct MaskedAccumulate {
  static AccumulateFn get(int rows) { return masked_accumulate_for<T>(rows); }
};

}  // namespace

AccumulateFn accumulate_fn(int rows, int used) {
  switch (rows) {
    case 1: return accumulate_for<1>(used);
    case 2: return accumulate_for<2>(used);
    case 4: return accumulate_for<4>(used);
    case 8: return accumulate_for<8>(used);
    case 16: return accumulate_for<16>(used);
    case 32: return accumulate_for<32>(used);
    case 64: return accumulate_for<64>(used);
    default: return generic_accumulate<DataType::fp32, false>;
  }
}

SumsFn sums_fn(int rows) {
  switch (rows) {
    case 1: return sums<1>;
    case 2: return sums<2>;
    case 4: return sums<4>;
    case 8: return sums<8>;
    case 16: return sums<16>;
    case 32: return sums<32>;
    case 64: return sums<64>;
    default: return generic_sums<DataType::fp32, false>;
  }
}

SumsFn masked_sums_fn(DataType t, int rows) { return for_float<MaskedSums>(t, rows); }

AccumulateFn masked_accumulate_fn(DataType t, int rows) { return for_float<MaskedAccumulate>(t, rows); }

}  // namespace accsim::column_sums
