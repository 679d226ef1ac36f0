#pragma once
// The column sums of a job whose every step uses one row of the array (a depthwise
// group, a one-channel stem: c = 1), for the floating-point datapaths. The column's
// adder tree then holds one product and idle leaves of exactly +0 (operand +0, a
// finite non-negative weight register, no input or product mask), so its sum is
// product + 0 (a -0 product becomes +0; further +0s change nothing), and the whole
// reduction over the kernel positions is the PE's own chain: e = s_0, e = e + s_1, ...
// computed here with the entries in registers across every step, eight output
// positions per vector (sixteen on AVX-512: column_sums' vector ISA), instead of step by
// step through the 8-row tree machinery.
// The same IEEE operations in the same order as column_sums' kernels: the same bits.
// Internal to array_conv (kernels/float_conv.cpp).
#include <cstdint>

#include "arch/number_format.h"
#include "kernels/conv_operands.h"

namespace accsim::one_row_sums {

// One column of some output positions (lanes). taps[offset[rs] + lane]: the row's
// operand of step rs at that lane (its fp32 value), tap_words the same as fp16 words
// (fp16 input masks act on them): a chunk's gathered rows, or an image's laid-out plane
// read in place.
struct OneRowInput {
  const float* taps;
  const std::uint16_t* tap_words;
  const std::ptrdiff_t* offset;  // [rs]
  const float* w;  // [rs]: the row's weight register of every step, through its mask
  int steps;
  StuckMask im, pm;  // the PE's input (fp32 view; fp16: on the words) and product masks
  StuckMask psum;    // exact: the column's psum register mask
  // exact, when the column has stuck accumulator entries: [lane] the mask of the entry its
  // position accumulates in (identity for the others), applied after every step's
  // accumulation; null: none.
  const std::uint32_t* entry_keep = nullptr;
  const std::uint32_t* entry_force = nullptr;
  // The one idle leaf of the column that is not +0 (a faulty idle PE's constant product:
  // finite), else +0. The tree's sum of p, it and +0 leaves is (p + leaf) + 0 whatever
  // its shape: +0 leaves change nothing but a -0, which any +0 turns into +0.
  float idle_leaf = 0.0f;
};

// How the PE's input register is masked: not, on the fp32 view (fp32, bf16), on the
// fp16 word.
enum class InputMask { none, fp32_view, fp16_word };

// acc[lane] for lanes [0, count) (written up to the next whole vector, taps read likewise:
// at most 15 elements past the last lane's): the chunk's whole accumulation. exact: every
// step's psum = mask(canonical(sum)) and canonical accumulation (a psum stuck-at), else
// NaNs as the vector unit makes them; entries (exact only): through entry_keep/entry_force;
// idle_leaf: the sum takes OneRowInput::idle_leaf.
using OneRowFn = void (*)(const OneRowInput&, int count, float* acc);
struct OneRowKind {
  bool exact = false;
  InputMask input = InputMask::none;
  bool product_mask = false, entries = false, idle_leaf = false;
};
OneRowFn one_row_fn(const OneRowKind& kind);

}  // namespace accsim::one_row_sums
