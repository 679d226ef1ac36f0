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
// words stand for (exact for fp16 and bf16); input masks act on the words: for bf16
// they are given on the fp32 view (the word is its top half), fp16 reads the words.
struct ColumnInput {
  const float* x;           // [row * kRowStride + lane]: broadcast operands (idle rows +0)
  const std::uint16_t* xw;  // the same layout, fp16 input words (the masked fp16 path)
  const float* w;           // [row]: weight registers, through their stuck-at masks
  const StuckMask* im;      // [row]: input masks (the masked kernels)
  const StuckMask* pm;      // [row]: product masks
  float* leaves;            // [row * kRowStride + lane]: the masked kernels' faulty rows' products
  float* scratch;           // rows * kChunk floats, for trees of other sizes
};

// acc[i] = sum (first) or acc[i] + sum, lanes [0, count): NaNs as the vector unit makes them.
using AccumulateFn = void (*)(const ColumnInput&, int rows, int count, float* acc, bool first);
// psum[i] = sum with the canonical NaN, lanes [0, count) (up to the next vector written).
using SumsFn = void (*)(const ColumnInput&, int rows, int count, float* psum);

// The fused sum-and-accumulate of an unmasked column whose rows [used, rows) are idle
// with products exactly +0 (operand +0, a finite non-negative weight register, no input
// or product fault): those leaves are the constant +0, the compiler folds the all-idle
// subtrees (+0 + +0 = +0) and keeps every "x + +0" (it is not x for x = -0).
// used == rows: every row.
AccumulateFn accumulate_fn(int rows, int used);
// Unmasked column sums (every row read).
SumsFn sums_fn(int rows);
// The same through every PE's input and product masks (t: fp32, fp16 or bf16): the rows
// whose masks are not the identity get their products first, the tree reads them.
AccumulateFn masked_accumulate_fn(DataType t, int rows);
SumsFn masked_sums_fn(DataType t, int rows);

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
