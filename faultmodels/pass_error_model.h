#pragma once
// The software error model of a set of hardware faults on one pass of one layer,
// expressed in the layer's own tensors so that a tool which knows nothing of the
// array (a PyTorch script) can apply it: which elements of the stationary operand
// (W, or dY for backward-weight) and of the pass's output (Y, dX or dW) a fault can
// corrupt, the bit operation on each element where it is one, and a one-line summary.
// The masks are structural (where the fault acts), independent of data values: a
// stuck-at whose bit already holds the stuck value corrupts nothing that time.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "arch/pass_lowering.h"

namespace accsim {

// An input-register or multiplier stuck-at, at the level of operand pairs: every
// product of stationary channel pair (out_channel, in_channel), in job coordinates
// (for the forward pass: output channel k, input channel c of the layer), is taken
// with the input (site input) or the product (site product) bits forced. The masks act
// on the site's word (arch/hardware_fault.h site_bit_width): the input register's word
// in the array's datatype; the product's fp32 word (int8: its int16 word).
struct PairRule {
  FaultSite site = FaultSite::input;
  int out_channel = 0, in_channel = 0;
  std::uint32_t and_mask = ~0u, or_mask = 0;
};

// A multiplier stuck-at on a row that holds no channel in some channel operations:
// the idle PE multiplies 0 by 0 and its forced product enters the column sum.
// `steps` atomic steps per output element add `value_bits`: an fp32 value's bits on
// the floating-point datapaths, an int32 value (two's complement, in units of
// scale_w * scale_x) on int8.
struct IdleProductRule {
  int out_channel = 0;
  int steps = 0;
  std::uint32_t value_bits = 0;
};

// A transient placed on the sum it corrupts (job coordinates): output channel
// `out_channel` at flattened output position `position` (n, p, q), accumulation step
// `step` (channel block b, kernel position r, s: b*R*S + r*S + s). Sites: weight, input,
// product flip that step's operand or product on PE row `row` (the adder tree's leaf);
// psum flips the step's column sum (row -1); accumulator flips the entry before the
// step adds to it (row -1). Several flips of one key and row combine by XOR.
struct PlacedFlip {
  FaultSite site = FaultSite::psum;
  int out_channel = 0;
  int step = 0;
  long long position = 0;
  int row = -1;
  std::uint32_t mask = 0;
};

struct FaultEffect {
  HardwareFault fault;
  std::string summary;  // e.g. "weights[oc%8==3][ic%8==5] bit 28 forced 0: 50 of 2400 weights, ..."
  long long stationary_affected = 0;
  long long outputs_affected = 0;
};

struct PassErrorModel {
  std::string layer;
  Pass pass = Pass::forward;
  SwizzlePolicy swizzle = SwizzlePolicy::none;
  std::vector<int> stationary_shape, output_shape;  // layer tensors (arch/pass_lowering.h)
  std::vector<std::uint8_t> stationary_mask;        // 1: used on a faulty PE
  // Weight-register stuck-ats on the register word of the array's datatype (fp32 bits,
  // fp16/bf16 16-bit words, int8 two's complement words); identity elsewhere.
  std::vector<std::uint32_t> stationary_and, stationary_or;
  std::vector<std::uint8_t> output_mask;            // 1: may be corrupted
  std::vector<PairRule> pairs;
  std::vector<IdleProductRule> idle_products;
  // How the array forms the pass's sums (job coordinates), for consumers that recompute
  // column sums: row_channels [groups, blocks, atomic_c] is the input channel PE row i
  // holds in output-channel group g and channel block b, col_channels [groups, atomic_k]
  // the output channel column j produces in group g; -1 where the row or column is idle.
  std::vector<int> row_channels, row_channels_shape;
  std::vector<int> col_channels, col_channels_shape;
  std::vector<PlacedFlip> transient_flips;          // the placed transients, by key
  std::vector<FaultEffect> effects;                 // faults that reach this pass
  std::vector<HardwareFault> unplaced;              // transients with no run cycle for this pass
  std::string summary;                              // "<layer> <pass>: ..." one line
};

// `start_cycle`: the run cycle at which the pass's job starts, or -1 when the pass has
// no place on the run's timeline (its transients are then listed as unplaced).
PassErrorModel map_pass_faults(const ConvJob& layer, Pass pass, const ArrayConfig& array,
                               const std::vector<HardwareFault>& faults, long long start_cycle);

}  // namespace accsim
