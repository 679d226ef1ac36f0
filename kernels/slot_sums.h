#pragma once
// The column sums of the floating-point datapaths vectorised across OUTPUT CHANNELS:
// the second kernel family of float_conv, beside column_sums (which vectorises across
// output positions). A vector holds one output position's sums of 8 (AVX2) or 16
// (AVX-512) slots, a slot being one (group, column) of a batch of groups whose rows
// serve the same channels. Leaf (row, slot) of a step is the slot's weight register
// times the row's operand, a scalar read in place from the laid-out operand and
// broadcast (no gather); each slot's tree over the rows is the array's pairing
// (column_trees.h's `tree`), and the sums are added in step order as the lane kernels
// add them: the same IEEE operations per (position, slot) in the same order, so the
// same bits. NaNs are left as the vector unit makes them (the caller canonicalises on
// the way out, as for fused columns). Internal to array_conv (kernels/float_conv.cpp).
#include <cstddef>
#include <cstdint>

namespace accsim::slot_sums {

// Floats between the weight rows of the planned matrix: slots rounded up to this.
inline constexpr int kSlotAlign = 16;

// The most rows a slot kernel's tree has (there are kernels for 8 and 16).
inline constexpr int kMaxSlotRows = 16;

// What the masks of a masked kernel's masked row act on (bits): the input on the fp32
// view of the operand (fp32, bf16) or, with kFp16Input (set for every fp16 job, whose
// identity input masks are words), on its fp16 word; the product. kMaskedOperand (with
// kInputMask alone): the row's input masks are one mask, applied once per operand element
// (SlotInput::xm_off): the masked lanes' leaves read the masked operand, the others the
// operand (a masked multiply instead of the word's ~9 instructions a leaf; on the fp32
// view instead of a broadcast and a mask a leaf: with AVX-512 both multiplies broadcast
// their operand from memory).
enum MaskKind : unsigned { kInputMask = 1, kFp16Input = 2, kProductMask = 4, kMaskedOperand = 8 };

// A run of steps whose blocks use the same busy rows [0, used) (trailing rows idle with
// +0 products: folded as column_sums::accumulate_fn folds them).
struct SlotInput {
  const float* x;               // the laid-out operand
  const std::ptrdiff_t* pos;    // [i]: output position i's operand at channel 0, kernel position (0, 0)
  const std::ptrdiff_t* x_off;  // [step * rows + row]: what the row's channel and step's kernel position add
  const float* w;               // [(step * rows + row) * stride + slot]: weight registers
  int steps;
  int stride;                   // a multiple of kSlotAlign
  int slots;                    // slots [0, slots) are computed (whole vectors: the rest are padding)
  // Masked kernels: the PEs' input and product stuck-at masks of each (row, slot), four
  // planes [input keep, input force, product keep, product force][row * stride + slot]
  // (identity where a PE has none; fp16's input masks in the low 16 bits); the kernel
  // reads its masked row's planes of its kind.
  const std::uint32_t* masks = nullptr;
  // Psum stuck-ats: [keep, force][slot], rows `stride` apart (identity where a slot has
  // none), on each step's sum before it is added; null: none. psum_canonical: some mask
  // does not keep NaNs NaN (column_sums::keeps_nans), so the sum is made canonical first.
  const std::uint32_t* psum = nullptr;
  bool psum_canonical = false;
  // kMaskedOperand: the masked row's operand through its one input mask (fp16: the float
  // of the masked word) lies in x's buffer as well: x[pos[i] + xm_off[step]] for x[pos[i]
  // + x_off[step * rows + row]]; xm_lanes [slot]: ~0 in the lanes the mask is on, else 0.
  const std::ptrdiff_t* xm_off = nullptr;
  const std::uint32_t* xm_lanes = nullptr;
  // Stuck accumulator entries (the masked kernel of no masked row, row -1, only): position
  // i accumulates in the entry of phase (entry_phase0 + i) % entry_period; where
  // entry_phases[phase] is set, some slot's entry of that phase is stuck, its masks
  // [keep, force][slot] at entry + phase * 2 * stride (identity in the other lanes),
  // applied after every step's addition to the canonical sum, as the entry stores it.
  // Null: none.
  const std::uint32_t* entry = nullptr;
  const char* entry_phases = nullptr;
  int entry_phase0 = 0, entry_period = 1;
};

// acc[i * stride + slot] = the run's sums added in step order (first: the first step's
// sum alone, else added to acc), positions [0, count).
using SlotFn = void (*)(const SlotInput&, int count, float* acc, bool first);

// The kernel of a tree of `rows` rows using rows [0, used), at the current vector width
// (column_sums::vector_isa); null where there is none (row counts other than 8 and 16;
// masked: other than 8). Masked kernels take the input masks on the fp32 view of the
// operand or on its fp16 word, the product masks on the canonical product, as
// column_sums' masked leaves, and the psum masks on each step's sum (canonical first
// where psum_canonical), as the exact or masked psum pass of column_sums; NaNs may
// differ from those only in their payload, so the caller canonicalises on the way out
// (jobs of two steps or more: after one step a psum stuck-at's output is the masked sum
// itself, NaN bits included; the stuck entries' positions keep their bits: the caller
// leaves them as they are). A masked kernel takes input and product masks on one
// row, `row` (< used; -1: none, psum masks only), those of `kind` (MaskKind bits; an
// input mask, a product mask or both; kMaskedOperand: the input's through
// SlotInput::xm_off and xm_lanes): each kernel knows its row and kind at compile
// time, so the other rows' leaves are the plain ones and no leaf tests a mask. lean
// (plain kernels): a call's steps after the first sum their trees without the idle
// rows' +0, which turns only a -0 into +0: for accumulators that are never -0 before a
// step (every sum so far from the kernels; not after a transient's flipped sum).
SlotFn slot_fn(int rows, int used, bool masked = false, int row = -1, unsigned kind = 0, bool lean = false);

// Which path float_conv gives the columns the slot kernels can compute: by its estimate
// (automatic), or always one of them (tests compare the two).
enum class SlotPolicy { automatic, never, always };
SlotPolicy slot_policy();
void set_slot_policy(SlotPolicy p);

}  // namespace accsim::slot_sums
