#include "kernels/column_sums.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <stdexcept>
#include <utility>

#include "arch/pe_array.h"
#include "kernels/column_trees.h"
#include "kernels/simd_avx2.h"

namespace accsim::column_sums {

namespace {

// AVX2: eight lanes.
struct Avx2 : simd::Avx2Ops {
  static constexpr int unroll = 1;  // vectors per step (accumulate_lanes): sixteen ymm registers hold one tree
  static constexpr int registers = 16;
  static reg apply(const StuckMask& m, reg v) { return column_sums::apply(m, v); }
  // The fp16 words of eight operand values through an input register's stuck-at mask,
  // as fp32 (the values are exact: F16C converts them back exactly, but quiets NaNs).
  static reg masked_fp16(const StuckMask& m, const float* x) {
    const __m256 v = _mm256_loadu_ps(x);
    __m128i w = _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
      alignas(16) std::uint16_t words[8];
      fp16_words(x, 8, words);
      w = _mm_load_si128(reinterpret_cast<const __m128i*>(words));
    }
    const __m128i keep = _mm_set1_epi16(static_cast<short>(m.keep & 0xffffu));
    const __m128i force = _mm_set1_epi16(static_cast<short>(m.force & 0xffffu));
    return _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(w, keep), force));
  }
};

// Any other row count: products (or the special rows' leaves) into scratch[row][i],
// then the array's adder_tree.
void generic_sums(const ColumnInput& c, int rows, int count, float* psum) {
  float* p = c.scratch;
  for (int row = 0; row < rows; ++row) {
    float* pr = p + static_cast<std::ptrdiff_t>(row) * count;
    if (c.special && (c.special[row / 64] >> (row % 64) & 1u)) {
      const float* leaf = row_of(c.leaves, row);
      if (c.pm[row].identity()) {  // a masked input: the multiply (not canonicalised) masked_row did
        const float w = c.w[row];
        for (int i = 0; i < count; ++i) pr[i] = w * leaf[i];
      } else {
        std::copy(leaf, leaf + count, pr);
      }
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

}  // namespace

namespace avx512 {  // column_sums_avx512.cpp
AccumulateFn accumulate_fn(int rows, int used, bool special, PsumPass psum);
LeavesFn masked_leaves_fn(DataType t);
}  // namespace avx512

namespace {

bool cpu_has_avx512() { return __builtin_cpu_supports("avx512f"); }

std::atomic<VectorIsa>& isa() {
  static std::atomic<VectorIsa> current{cpu_has_avx512() ? VectorIsa::avx512 : VectorIsa::avx2};
  return current;
}

}  // namespace

VectorIsa vector_isa() { return isa().load(); }

namespace {

// Inlined into each of its three callers (a planning lookup each).
__attribute__((always_inline)) inline AccumulateFn vector_accumulate_fn(int rows, int used, bool special,
                                                                        PsumPass psum) {
  if (vector_isa() == VectorIsa::avx512) return avx512::accumulate_fn(rows, used, special, psum);
  return tree_accumulate<Avx2>(rows, used, special, psum);
}

}  // namespace

bool set_vector_isa(VectorIsa wanted) {
  if (wanted == VectorIsa::avx512 && !cpu_has_avx512()) return false;
  isa().store(wanted);
  return true;
}

AccumulateFn accumulate_fn(int rows, int used, bool special) {
  if (!folds_idle_rows(rows)) return generic_accumulate;
  return vector_accumulate_fn(rows, used, special, PsumPass::none);
}

AccumulateFn exact_accumulate_fn(int rows, int used, bool special) {
  return vector_accumulate_fn(rows, used, special, PsumPass::exact);
}

AccumulateFn masked_accumulate_fn(int rows, int used, bool special) {
  return vector_accumulate_fn(rows, used, special, PsumPass::masked);
}

bool keeps_nans(const StuckMask& m) {
  constexpr std::uint32_t kExponent = 0x7f800000u, kQuiet = 0x00400000u, kFraction = 0x007fffffu;
  const std::uint32_t ones = m.keep | m.force;  // bits a quiet NaN still has set
  return (ones & kExponent) == kExponent && ((ones & kQuiet) != 0 || (m.force & kFraction) != 0);
}

bool folds_idle_rows(int rows) { return rows <= 64 && (rows & (rows - 1)) == 0; }

// Only exact_step calls it, on row counts without a vector tree.
SumsFn sums_fn(int, bool) { return generic_sums; }

LeavesFn masked_leaves_fn(DataType t) {
  if (vector_isa() == VectorIsa::avx512) return avx512::masked_leaves_fn(t);
  return leaves_for<Avx2>(t);
}

}  // namespace accsim::column_sums
