#pragma once
// The column sums of the floating-point datapaths (fp32, fp16, bf16), eight output
// positions per AVX vector: every column's adder tree in exactly the array's pairing
// (arch/pe_array.h adder_tree), products and sums rounded in fp32 with no FMA, so each
// lane is bit-identical to the cycle model's column. The tree is the same for every
// output position, so vectorising across positions changes no rounding.
//
// NaN canonicalisation is left to where bits become observable (the caller): whether
// an IEEE sum or product is NaN, and its value when it is not, never depend on the
// payload of a NaN operand, so canonicalising there gives the datapath's bits.
// Internal to array_conv (kernels/float_conv.cpp).
#include <immintrin.h>

#include <cstdint>

#include "arch/number_format.h"
#include "kernels/conv_operands.h"

namespace accsim::column_sums {

inline constexpr int kLanes = 8;                   // floats per AVX register
inline constexpr int kRowStride = kChunk + kSlack;  // elements between a chunk's operand rows

// One column of one atomic operation. The operands are the fp32 values their register
// words stand for (exact for fp16 and bf16, NaN payloads included); input masks act on
// the words: for bf16 they are given on the fp32 view (the word is its top half), fp16
// takes each word back from its value (fp16_word).
struct ColumnInput {
  const float* x;               // [row * kRowStride + lane]: broadcast operands (idle rows +0)
  const float* w;               // [row]: weight registers, through their stuck-at masks
  const StuckMask* im;          // [row]: input masks (masked_leaves)
  const StuckMask* pm;          // [row]: product masks
  float* leaves;                // [row * kRowStride + lane]: the `special` rows' products (product
                                // masks) or masked inputs (input masks only: times w in the tree)
  const std::uint64_t* special; // bit set over rows: leaves given in `leaves`; null: none
  float* scratch;               // rows * kChunk floats, for trees of other sizes
  StuckMask psum;               // exact_accumulate_fn: the column's psum register mask
  const std::uint64_t* product_rows = nullptr;  // with special: the rows of it with a product mask
};

// acc[i] = sum (first) or acc[i] + sum, lanes [0, count): NaNs as the vector unit makes them.
using AccumulateFn = void (*)(const ColumnInput&, int rows, int count, float* acc, bool first);
// psum[i] = sum with the canonical NaN, lanes [0, count) (up to the next vector written).
using SumsFn = void (*)(const ColumnInput&, int rows, int count, float* psum);
// Fills `leaves` for the rows in `special` (a bit set over rows: the PEs with a
// non-identity input or product mask), through their masks: a row with a product mask
// its products, a row with only an input mask its masked inputs (the same for every
// weight: callers may keep them over the groups of a step).
using LeavesFn = void (*)(const ColumnInput&, int rows, int count, const std::uint64_t* special);

// The fused sum-and-accumulate of a column whose rows [used, rows) are idle with
// products exactly +0 (operand +0, a finite non-negative weight register, no input or
// product fault): those leaves are +0, and the tree adds that +0 once where the first
// all-idle subtree joins (x + +0 is not x for x = -0; a sum that already took a +0 is
// never -0, so further +0s change nothing). used == rows: every row. `special`: some
// rows' leaves come from c.leaves (c.special set).
AccumulateFn accumulate_fn(int rows, int used, bool special);
// The datapath's exact steps of a column whose psum register has a stuck-at (c.psum):
// psum = mask(canonical(sum)); acc = psum (first) or canonical(acc + psum). Idle rows
// folded as accumulate_fn's (the sum is the same bits); null for row counts without a
// vector tree.
AccumulateFn exact_accumulate_fn(int rows, int used, bool special);
// A psum stuck-at whose mask keeps_nans: psum = mask(sum); acc = psum (first) or acc +
// psum, no canonicalisation. Every sum the vector trees make is an arithmetic result
// (each leaf is multiplied, each join added), so a NaN sum is quiet (bit 22 set); such a
// mask makes every quiet NaN a NaN, and the datapath's mask(canonical(sum)) is one too:
// a lane is NaN exactly where the exact kernel's is, and equal bits elsewhere, so the
// caller canonicalises on the way out as for fused columns. Null where
// exact_accumulate_fn is.
AccumulateFn masked_accumulate_fn(int rows, int used, bool special);
// Whether the stuck-at mask maps every quiet NaN to a NaN: each exponent bit kept or
// forced to 1, and the quiet bit kept or some fraction bit forced to 1.
bool keeps_nans(const StuckMask& m);
// The psum pass of a vector kernel: none (fused), exact (exact_accumulate_fn) or
// masked (masked_accumulate_fn).
enum class PsumPass { none, exact, masked };

// The vector width of the fused kernels: AVX-512 where the CPU has it, else AVX2. Both
// compute the same IEEE operations per lane in the same order (the same bits); tests
// switch to compare them. set_vector_isa returns false (and changes nothing) when the
// CPU lacks the instructions. Kernels are chosen when a job is planned.
enum class VectorIsa { avx2, avx512 };
VectorIsa vector_isa();
bool set_vector_isa(VectorIsa isa);
// Whether accumulate_fn and exact_accumulate_fn(rows, used, ...) read only rows [0, used)
// (otherwise every row).
bool folds_idle_rows(int rows);
// Column sums (every row read; the adder_tree loop: the vector trees are the
// accumulate kernels').
SumsFn sums_fn(int rows, bool special);
// The leaves of masked PEs for a datapath (t: fp32, fp16 or bf16), at the vector
// width of the kernels.
LeavesFn masked_leaves_fn(DataType t);

// The fp16 register word of an operand value: the exact inverse of fp16_to_fp32 (NaN
// payloads, signalling ones included, and subnormals).
inline std::uint32_t fp16_word(float v) {
  const std::uint32_t u = float_bits(v), sign = (u >> 16) & 0x8000u, e = (u >> 23) & 0xffu, m = u & 0x7fffffu;
  if (e == 0xffu) return sign | 0x7c00u | (m >> 13);
  if (e >= 113u) return sign | ((e - 112u) << 10) | (m >> 13);
  return sign | static_cast<std::uint32_t>(bits_float(u & 0x7fffffffu) * 16777216.0f);  // m * 2^-24, m < 1024
}

// fp16_word of n operands: the vector kernels' path for vectors holding a NaN, whose
// payload F16C's conversion would quiet (rare: kept out of line).
[[gnu::cold, gnu::noinline]] inline void fp16_words(const float* x, int n, std::uint16_t* words) {
  for (int i = 0; i < n; ++i) words[i] = static_cast<std::uint16_t>(fp16_word(x[i]));
}

// The canonical NaN in every NaN lane.
inline __m256 canonical(__m256 v) {
  const __m256 nan = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(kCanonicalNaN)));
  return _mm256_blendv_ps(nan, v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
}

// A stuck-at mask on the bits of eight floats.
inline __m256 apply(const StuckMask& m, __m256 v) {
  const __m256i bits = _mm256_and_si256(_mm256_castps_si256(v), _mm256_set1_epi32(static_cast<int>(m.keep)));
  return _mm256_castsi256_ps(_mm256_or_si256(bits, _mm256_set1_epi32(static_cast<int>(m.force))));
}

}  // namespace accsim::column_sums
