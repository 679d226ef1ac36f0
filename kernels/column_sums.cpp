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

// The leaves are forced inline: the whole tree must stay in registers. The weights are
// broadcast once per call into locals (a store to acc could alias them otherwise).
template <int ROWS, int USED, bool FIRST>
void accumulate_lanes(const float* x, const float* wp, int count, float* acc) {
  __m256 w[USED];
  for (int row = 0; row < USED; ++row) w[row] = _mm256_broadcast_ss(wp + row);
  for (int v = 0; v < count; v += kLanes) {
    __m256 sum = tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
      if (row >= USED) return _mm256_setzero_ps();
      return _mm256_mul_ps(w[row], _mm256_loadu_ps(row_of(x, row) + v));
    });
    if constexpr (!FIRST) sum = _mm256_add_ps(_mm256_loadu_ps(acc + v), sum);
    _mm256_storeu_ps(acc + v, sum);
  }
}

template <int ROWS, int USED>
void accumulate(const ColumnInput& c, int, int count, float* acc, bool first) {
  if (first)
    accumulate_lanes<ROWS, USED, true>(c.x, c.w, count, acc);
  else
    accumulate_lanes<ROWS, USED, false>(c.x, c.w, count, acc);
}

template <int ROWS>
void sums(const ColumnInput& c, int, int count, float* psum) {
  __m256 w[ROWS];
  for (int row = 0; row < ROWS; ++row) w[row] = _mm256_broadcast_ss(c.w + row);
  for (int v = 0; v < count; v += kLanes) {
    const __m256 sum = tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
      return _mm256_mul_ps(w[row], _mm256_loadu_ps(row_of(c.x, row) + v));
    });
    _mm256_storeu_ps(psum + v, canonical(sum));
  }
}

// Eight fp16 input words through an input register's stuck-at mask, as fp32.
inline __m256 masked_fp16(const StuckMask& m, const std::uint16_t* words) {
  const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(words));
  const __m128i keep = _mm_set1_epi16(static_cast<short>(m.keep & 0xffffu));
  const __m128i force = _mm_set1_epi16(static_cast<short>(m.force & 0xffffu));
  return _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(w, keep), force));
}

// Every product through its PE's input and product masks (identity masks skipped).
template <DataType T, int ROWS>
void masked_sums(const ColumnInput& c, int, int count, float* psum) {
  for (int v = 0; v < count; v += kLanes) {
    const __m256 sum = tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
      const StuckMask& im = c.im[row];
      const StuckMask& pm = c.pm[row];
      const std::ptrdiff_t at = static_cast<std::ptrdiff_t>(row) * kRowStride + v;
      __m256 in;
      if (im.identity())
        in = _mm256_loadu_ps(c.x + at);
      else if constexpr (T == DataType::fp16)
        in = masked_fp16(im, c.xw + at);
      else
        in = apply(im, _mm256_loadu_ps(c.x + at));
      const __m256 p = _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), in);
      return pm.identity() ? p : apply(pm, canonical(p));
    });
    _mm256_storeu_ps(psum + v, canonical(sum));
  }
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

void generic_accumulate(const ColumnInput& c, int rows, int count, float* acc, bool first) {
  alignas(32) float psum[kChunk + kSlack];
  generic_sums<DataType::fp32, false>(c, rows, count, psum);
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
SumsFn masked_for(int rows) {
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
    default: return generic_accumulate;
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

SumsFn masked_sums_fn(DataType t, int rows) {
  switch (t) {
    case DataType::fp32: return masked_for<DataType::fp32>(rows);
    case DataType::fp16: return masked_for<DataType::fp16>(rows);
    case DataType::bf16: return masked_for<DataType::bf16>(rows);
    case DataType::int8: break;
  }
  throw std::logic_error("masked_sums_fn: no floating-point datapath for int8");
}

}  // namespace accsim::column_sums
