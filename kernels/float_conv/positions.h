#pragma once
// Jobs of few chunks whose every column the slot kernels compute (a training step's
// conv1 backward-weight job: 25 positions, 6 columns, 4,608 steps) split by output
// positions instead of columns: the slot kernels vectorise across a batch's columns
// (16 slots a vector with AVX-512), so a column slice of 3 slots costs a thread the whole
// job's vector work, and each thread built the whole job's slot tables. By positions,
// each thread runs its positions through every step (a position's sums are added in
// step order on one thread, as unsplit: the same bits), reading the tables and the
// operand the calling thread prepared. Part of kernels/float_conv.cpp's one translation
// unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

// Positions a thread takes at least when a chunk is split by positions.
constexpr int kPartPositions = 8;
// Steps a slot kernel call takes at most: the kernels walk every step for each few
// positions, and a long reduction's weights (conv1's backward-weight job: 4,608 steps of
// 8 rows x 16 slots, 2.4 MB) would be read from beyond L2 once per few positions; a
// block's (32 KB) stay in L1 over the positions.
constexpr int kSlotSteps = 64;

// Whether every chunk of the job goes to the slot kernels whole (no one-row batch, every
// computed column a slot column, no transient flips that could leave a column to the
// lane kernels in some chunk) and a chunk has positions for `threads` parts.
template <DataType T>
bool FloatConv<T>::slot_positions(int threads) const {
  if (!pattern_psums_.empty() || !acc_flips_.empty() || std::min<long long>(M_, kChunk) < kPartPositions * threads)
    return false;
  for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
    if (one_row_[batch] >= 0 || slot_used_[batch] == 0) return false;
    for (int g = batches_[batch].first; g < batches_[batch].second; ++g)
      for (int col = 0; col < cols_; ++col)
        if (col_ch_[g][col] >= 0 && sel_.col_any[col] && group_selected(g) && !slot_column(col, slot_used_[batch]))
          return false;
  }
  return true;
}

// The slot kernel `fn` on positions [0, count) of `in` a block of kSlotSteps steps at a
// time: each position's sums are added in step order, its accumulator stored and
// loaded back between blocks (a float, exactly), so the bits are one call's.
template <DataType T>
void FloatConv<T>::slot_blocks(slot_sums::SlotFn fn, const slot_sums::SlotInput& in, int count, float* acc,
                               bool first) const {
  const std::ptrdiff_t step_weights = static_cast<std::ptrdiff_t>(rows_) * in.stride;
  for (int s0 = 0; s0 < in.steps; s0 += kSlotSteps) {
    slot_sums::SlotInput block = in;
    block.steps = std::min(kSlotSteps, in.steps - s0);
    block.x_off = in.x_off + static_cast<std::ptrdiff_t>(s0) * rows_;
    block.w = in.w + s0 * step_weights;
    if (in.xm_off) block.xm_off = in.xm_off + s0;
    fn(block, count, acc, first && s0 == 0);
  }
}

// slot_blocks split by positions over position_parts_ threads (the parts' positions and
// accumulators are disjoint).
template <DataType T>
void FloatConv<T>::slot_parts(slot_sums::SlotFn fn, const slot_sums::SlotInput& in, int count, float* acc,
                              bool first) const {
  const int parts = std::min(position_parts_, count / kPartPositions);
  if (parts <= 1) return slot_blocks(fn, in, count, acc, first);
  run_parts(parts, [&](int i) {
    const int p0 = count * i / parts, p1 = count * (i + 1) / parts;
    slot_sums::SlotInput part = in;
    part.pos = in.pos + p0;
    part.entry_phase0 = (in.entry_phase0 + p0) % in.entry_period;
    slot_blocks(fn, part, p1 - p0, acc + static_cast<std::ptrdiff_t>(p0) * in.stride, first);
  });
}

}  // namespace
}  // namespace accsim
