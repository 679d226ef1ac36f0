#pragma once
// The slot kernels' path (kernels/slot_sums.h): a batch's columns a position at a time across
// output channels. Part of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

// The batches whose fused columns take the slot kernels: every block's idle rows
// trailing (the slot trees fold them as the lane kernels do, with the fewest busy rows
// of the blocks bounding zero_from), a slot kernel for the row count, and the estimate
// (slot_estimate) or the policy in favour.
template <DataType T>
void FloatConv<T>::plan_slots() {
  slot_used_.assign(batches_.size(), 0);
  const slot_sums::SlotPolicy policy = slot_sums::slot_policy();
  if (policy == slot_sums::SlotPolicy::never || !folds_ || !slot_sums::slot_fn(rows_, rows_)) return;
  const bool masked = slot_sums::slot_fn(rows_, rows_, true) != nullptr;
  slot_cols_.assign(static_cast<std::size_t>(cols_), 0);
  entry_cols_.assign(static_cast<std::size_t>(cols_), 0);
  // A psum stuck-at in a job of one step: the output is the masked sum itself, NaN bits
  // included (the slot kernels canonicalise on the way out).
  const bool psum = masked && exact_kernels_ && blocks_ * RS_ > 1;
  // (Psum flips: slot_chunk leaves a column to the chunk path in the chunks they hit.)
  // The masked kernels take input and product masks on one row: columns masked on other
  // rows as well keep the chunks (rows: the masked rows of every column).
  unsigned rows = 0, input_rows = 0;
  for (int col = 0; col < cols_; ++col) {
    const unsigned in = masked_rows(col, im_);
    input_rows |= in, rows |= in | masked_rows(col, pm_);
  }
  const bool one_row = __builtin_popcount(rows) <= 1;
  // Stuck accumulator entries: the masked kernel of no masked row (SlotInput::entry) only.
  const bool entries = masked && rows == 0;
  operand_room_ = masked && one_row && input_rows != 0 && layout_.by_image;  // slot_operand.h
  for (int col = 0; col < cols_; ++col) {
    const bool kernels = (!col_masked_[col] || (masked && one_row)) && (!psum_stuck_[col] || psum);
    slot_cols_[col] = kernels && (acc_slots_[col].empty() || entries);
    entry_cols_[col] = kernels && !acc_slots_[col].empty() && !entries;
  }
  for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
    const auto [g0, g1] = batches_[batch];
    int used = rows_;
    for (int b = 0; b < blocks_ && used > 0; ++b) {
      const BlockRows& br = tables_.block_rows[static_cast<std::size_t>(g0) * blocks_ + b];
      used = br.trailing_idle ? std::min(used, br.used) : 0;
    }
    const SlotCount n = used > 0 ? slot_count(batch, used) : SlotCount{};
    if (n.slots > 0 && (policy == slot_sums::SlotPolicy::always || slot_estimate(batch, n))) slot_used_[batch] = used;
  }
}

// The batch's live columns the slot kernels would compute, those left to the chunks, and
// the slot columns' masked PEs and the rows holding them.
template <DataType T>
SlotCount FloatConv<T>::slot_count(std::size_t batch, int used) const {
  SlotCount n;
  unsigned input_rows = 0, product_rows = 0;
  for (int g = batches_[batch].first; g < batches_[batch].second; ++g)
    for (int col = 0; col < cols_; ++col) {
      if (col_ch_[g][col] < 0 || !sel_.col_any[col] || !group_selected(g)) continue;
      if (!slot_column(col, used)) {
        ++n.others;
        n.entry_others += entry_cols_[col] && plan_.zero_from[col] <= used;
        continue;
      }
      ++n.slots;
      n.psum_slots += psum_stuck_[col];
      if (!col_masked_[col]) continue;
      const unsigned in = masked_rows(col, im_), product = masked_rows(col, pm_);
      n.masked_pes += __builtin_popcount(in | product);
      input_rows |= in, product_rows |= product;
    }
  n.input_rows = __builtin_popcount(input_rows), n.product_rows = __builtin_popcount(product_rows);
  return n;
}

// Whether the slot kernels cost less than the chunks for the batch's slot columns, per
// step of a chunk's positions, in vector leaves (a multiply and an add) at the kernels'
// width: a chunk gathers each busy row (a copy per vector of positions, kSegment per
// segment: one per output row; paid anyway when other columns stay in the chunk, but
// counted when they stay for a stuck accumulator entry alone: measured, the slot kernels
// then still pay for the rest, LeNet conv2 and fc1 in a campaign), sums
// each live column's vectors of positions (kCall a call) and computes each masked PE's
// leaves (a pass) and each psum-stuck column's mask (a pass); the slot kernels sum each
// position's vectors of slots, each leaf also loading its weight vector and broadcasting
// its operand (3/2 of a leaf with AVX-512's broadcast operands; 3 with AVX2's separate
// broadcasts, where a whole campaign took 5% more instructions at 2), plus the
// accumulation, a masked input row's mask (1; fp16's word: 2), a masked product row's (3)
// and the psum masks (1, canonical first: 2). Fitted to
// rerun_shapes_bench and engines_bench (docs/performance.md, "Slot kernels").
template <DataType T>
bool FloatConv<T>::slot_estimate(std::size_t batch, const SlotCount& n) const {
  constexpr long long kCall = 20, kSegment = 8;
  const bool wide = cs::vector_isa() == cs::VectorIsa::avx512;
  const long long lanes = wide ? 16 : 8, leaf_halves = wide ? 3 : 6;
  const long long positions = std::min<long long>(M_, kChunk);
  const long long segments = static_cast<long long>(segments_.end(0) - segments_.begin(0));
  const long long position_vectors = (positions + lanes - 1) / lanes, slot_vectors = (n.slots + lanes - 1) / lanes;
  const long long masks = (T == DataType::fp16 ? 4 : 2) * n.input_rows + 6 * n.product_rows +
                          (n.psum_slots > 0 ? 4 : 0);  // in halves of a leaf
  long long chunk_cost = 0, slot_halves = 0;
  for (int b = 0; b < blocks_; ++b) {
    const long long busy = tables_.block_rows[static_cast<std::size_t>(batches_[batch].first) * blocks_ + b].used;
    const long long gather = n.others > n.entry_others ? 0 : busy * (position_vectors + kSegment * segments);
    chunk_cost += gather + n.slots * (busy * position_vectors + kCall) +
                  (n.masked_pes + n.psum_slots) * position_vectors;
    slot_halves += positions * slot_vectors * (busy * leaf_halves + 2 + masks);
  }
  return slot_halves < 2 * chunk_cost;
}

// A column the slot kernels compute in a chunk its flips do not hit (slot_chunk): input,
// product and psum stuck-ats only where there are masked kernels (8-row trees), psum
// ones in jobs of two steps or more, accumulator stuck-ats in jobs without input or
// product stuck-ats, idle rows of +0 products from `used` on.
template <DataType T>
bool FloatConv<T>::slot_column(int col, int used) const {
  return slot_cols_[col] && plan_.zero_from[col] <= used;
}

// The rows of column col whose PE has a non-identity mask in `masks` (im_ or pm_; the
// slot kernels' arrays have at most 16 rows).
template <DataType T>
unsigned FloatConv<T>::masked_rows(int col, const std::vector<StuckMask>& masks) const {
  unsigned rows = 0;
  for (int row = 0; row < rows_ && col_masked_[col]; ++row)
    rows |= static_cast<unsigned>(!masks[static_cast<std::size_t>(col) * rows_ + row].identity()) << row;
  return rows;
}

// The batch's slot columns of this chunk (those stepping kFused in it, or kFusedExact:
// a psum stuck-at, its exact pass as the masked kernel's per-lane masks, or
// kEntrySteps: stuck accumulator entries, through the kernel's entry masks) a position at a
// time across their output channels, each run of blocks of the same busy rows by its
// kernel; they leave sc.live (chunk_groups computes the rest).
// (Out of line: inlined into chunks() it made GCC compile the chunk loop's gathers into
// 25% more instructions, lane path alone included.)
template <DataType T>
[[gnu::noinline]] void FloatConv<T>::slot_chunk(long long chunk, std::size_t batch, Scratch& sc) const {
  const auto [g0, g1] = batches_[batch];
  plan_chunk(chunk, g0, g1, sc);
  sc.slots.clear();
  for (int g = g0; g < g1; ++g) {
    std::vector<int>& live = sc.live[static_cast<std::size_t>(g - g0)];
    std::size_t kept = 0;
    const auto [pf, pf_end] = sc.psum_flips[static_cast<std::size_t>(g - g0)];
    for (const int col : live) {
      const char how = sc.exact[static_cast<std::size_t>((g - g0) * cols_ + col)];
      if ((how == kFused || how == kFusedExact || how == kEntrySteps ||
           (how == kFlipSteps && few_flips(pf, pf_end, col))) &&
          slot_column(col, slot_used_[batch]))
        sc.slots.push_back({g, col});
      else
        live[kept++] = col;
    }
    live.resize(kept);
  }
  if (sc.slots.empty()) return;
  const int count = static_cast<int>(std::min<long long>(kChunk, M_ - chunk * kChunk));
  const int stride = (static_cast<int>(sc.slots.size()) + slot_sums::kSlotAlign - 1) / slot_sums::kSlotAlign *
                     slot_sums::kSlotAlign;
  slot_tables(batch, stride, sc);
  const auto [lo, hi] = chunk_positions(chunk, count, sc);
  if (sc.slot_operand) slot_operand(g0, lo, hi, sc);  // slot_operand.h
  sc.slot_acc.grow(static_cast<std::size_t>(count) * stride);
  slot_steps(g0, 0, blocks_ * RS_, 0, static_cast<int>(sc.slots.size()), sc.slot_pos.data(), count,
             phase_of(chunk * kChunk), stride, sc.slot_acc.data, true, sc);
  slot_flips(chunk, g0, stride, sc);
  slot_outputs(chunk, count, stride, sc);
}

// The chunk's positions [0, count) in the laid-out operand (sc.slot_pos), and the least
// and the greatest of them (a segment's run of positions increases: its ends).
template <DataType T>
std::pair<std::ptrdiff_t, std::ptrdiff_t> FloatConv<T>::chunk_positions(long long chunk, int count,
                                                                         Scratch& sc) const {
  sc.slot_pos.resize(static_cast<std::size_t>(count));
  std::ptrdiff_t lo = PTRDIFF_MAX, hi = PTRDIFF_MIN;
  for (const Segment* g = segments_.begin(chunk); g != segments_.end(chunk); ++g) {
    const int n = std::min(g->len, count - g->dst);
    if (n <= 0) continue;
    for (int i = 0; i < n; ++i) sc.slot_pos[static_cast<std::size_t>(g->dst + i)] = g->src + i;
    lo = std::min<std::ptrdiff_t>(lo, g->src), hi = std::max<std::ptrdiff_t>(hi, g->src + n - 1);
  }
  return {lo, hi};
}

// The slot kernel of `used` busy rows for the slot tables in sc: the masked one of their
// masked row (one at most: plan_slots) and mask kinds where they have masks; plain ones
// lean where the accumulators are never -0 before a step (slot_sums::slot_fn).
template <DataType T>
slot_sums::SlotFn FloatConv<T>::slot_kernel(int used, bool lean, const Scratch& sc) const {
  const bool masked = sc.slot_input_rows || sc.slot_product_rows || sc.slot_psum || !sc.slot_entry_masks.empty();
  const unsigned rows = sc.slot_input_rows | sc.slot_product_rows;
  const unsigned kind = (sc.slot_input_rows ? slot_sums::kInputMask : 0u) |
                        (T == DataType::fp16 ? slot_sums::kFp16Input : 0u) |
                        (sc.slot_product_rows ? slot_sums::kProductMask : 0u) |
                        (sc.slot_operand ? slot_sums::kMaskedOperand : 0u);
  return slot_sums::slot_fn(rows_, used, masked, rows ? __builtin_ctz(rows) : -1, kind, lean);
}

// Steps [s0, s1) of slots [v0, v0 + n) (v0 a multiple of kSlotAlign) at the positions
// pos[0, count) (pos[0]'s stripe phase phase0, the others following it) into
// acc[i * stride + slot - v0] (the first step 0: acc's sums start there), each run of
// blocks of the same busy rows (batch group g0's) by its kernel (lean: slot_kernel).
template <DataType T>
void FloatConv<T>::slot_steps(int g0, int s0, int s1, int v0, int n, const std::ptrdiff_t* pos, int count,
                              int phase0, int stride, float* acc, bool lean, const Scratch& sc) const {
  const BlockRows* br = &tables_.block_rows[static_cast<std::size_t>(g0) * blocks_];
  const float* x = layout_.by_image ? sc.laid.data() : x_;
  const std::uint32_t* masks = sc.slot_masks.empty() ? nullptr : sc.slot_masks.data() + v0;
  const std::uint32_t* psum = sc.slot_psum ? masks + 4 * static_cast<std::size_t>(rows_) * stride : nullptr;
  for (int s = s0; s < s1;) {
    int b1 = s / RS_ + 1;
    while (b1 < blocks_ && br[b1].used == br[s / RS_].used) ++b1;
    const int end = std::min(s1, b1 * RS_);
    const std::size_t at = static_cast<std::size_t>(s) * rows_;
    slot_sums::SlotInput in{x, pos, sc.slot_off.data() + at, sc.slot_w.data + at * stride + v0, end - s, stride,
                            n, masks, psum, sc.slot_psum_canonical};
    if (sc.slot_operand) {  // slot_operand.h; the lanes after the psum masks' planes
      in.xm_off = sc.slot_xm_off.data() + s;
      in.xm_lanes = masks + (4 * static_cast<std::size_t>(rows_) + 2) * stride;
    }
    if (!sc.slot_entry_masks.empty()) {
      in.entry = sc.slot_entry_masks.data() + v0, in.entry_phases = sc.slot_entry_phases.data();
      in.entry_phase0 = phase0, in.entry_period = a_.stripe_length;
    }
    slot_parts(slot_kernel(br[s / RS_].used, lean, sc), in, count, acc, s == 0);  // positions.h
    s = end;
  }
}

// Whether the flips [f, end) hit at most kSlotFlippedLanes lanes of column col.
template <DataType T>
bool FloatConv<T>::few_flips(const PsumFlips* const* f, const PsumFlips* const* end, int col) {
  int n = 0;
  for (; f != end; ++f) n += (*f)->at.col == col;  // (a lane flipped at two steps counts twice)
  return n <= kSlotFlippedLanes;
}

// The slot columns' lanes that transient flips hit (kFlipSteps columns), each
// recomputed by slot_lane once.
template <DataType T>
void FloatConv<T>::slot_flips(long long chunk, int g0, int stride, Scratch& sc) const {
  for (std::size_t j = 0; j < sc.slots.size(); ++j) {
    const auto [g, col] = sc.slots[j];
    const auto [pf, pf_end] = sc.psum_flips[static_cast<std::size_t>(g - g0)];
    for (auto it = pf; it != pf_end; ++it) {
      if ((*it)->at.col != col) continue;
      const long long pixel = (*it)->at.pixel;
      bool seen = false;  // an earlier step's flip of the lane
      for (auto e = pf; e != it && !seen; ++e) seen = (*e)->at.col == col && (*e)->at.pixel == pixel;
      if (!seen) sc.slot_acc.data[(pixel - chunk * kChunk) * stride + static_cast<long long>(j)] =
          slot_lane(chunk, j, pixel, pf, pf_end, stride, sc);
    }
  }
}

// The accumulation of one flipped lane of slot j: every step's sum, through the
// datapath (flipped_psum) at the steps the lane's flips hit and by the slot kernel (on
// the lane's position and its vector of slots) between them, added in step order. Its
// NaN-ness and non-NaN value are those of the lane kernels' fused steps with
// exact_kernel_step at the flipped ones (a NaN's payload changes neither); the way out
// canonicalises it as every slot lane.
template <DataType T>
float FloatConv<T>::slot_lane(long long chunk, std::size_t j, long long pixel, const PsumFlips* const* pf,
                              const PsumFlips* const* pf_end, int stride, Scratch& sc) const {
  const auto [g, col] = sc.slots[j];
  const std::size_t i = static_cast<std::size_t>(pixel - chunk * kChunk);
  const float* x = (layout_.by_image ? sc.laid.data() : x_) + sc.slot_pos[i];
  const int v0 = static_cast<int>(j) / slot_sums::kSlotAlign * slot_sums::kSlotAlign;
  const int n = std::min(slot_sums::kSlotAlign, static_cast<int>(sc.slots.size()) - v0);
  float e[slot_sums::kSlotAlign] = {};  // the lane's vector of slots
  float& lane = e[j - static_cast<std::size_t>(v0)];
  int done = 0;  // steps in e
  for (int step = 0; step < blocks_ * RS_; ++step) {
    const PsumFlips* f = nullptr;
    for (auto it = pf; it != pf_end; ++it)
      if ((*it)->at.col == col && (*it)->at.pixel == pixel && (*it)->at.step == step) f = *it;
    if (!f) continue;
    // Not lean: a flipped sum may leave the lane -0.
    if (done < step) slot_steps(g, done, step, v0, n, &sc.slot_pos[i], 1, phase_of(pixel), stride, e, false, sc);
    const float sum = slot_flipped_sum(x, g, step / RS_, step % RS_, *f, sc);
    lane = step == 0 ? sum : fp32_add(lane, sum);
    done = step + 1;
  }
  if (done < blocks_ * RS_)
    slot_steps(g, done, blocks_ * RS_, v0, n, &sc.slot_pos[i], 1, phase_of(pixel), stride, e, false, sc);
  return lane;
}

// Step (b, rs)'s sum of group g's column f.at.col at operand x with the flips f, on
// register words in the datapath's order (flipped_psum).
template <DataType T>
float FloatConv<T>::slot_flipped_sum(const float* x, int g, int b, int rs, const PsumFlips& f, Scratch& sc) const {
  const int col = f.at.col;
  const std::size_t block = static_cast<std::size_t>(g) * blocks_ + b;
  const int used = tables_.block_rows[block].used;
  const int live = std::max(plan_.reads[block * cols_ + col], plan_.raw_rows[col]);
  const std::size_t step = static_cast<std::size_t>(b) * RS_ + rs;
  for (int row = 0; row < live; ++row)  // idle rows: +0
    sc.cube[row] = row < used ? word_of(x[sc.slot_off[step * rows_ + row]]) : 0u;
  const std::size_t at = entry(g, b, rs, col);
  return bits_float(flipped_psum<D>(faults_, rows_, f, raw_words(at, live, sc), sc.cube.data(), sc.flip, live));
}

// The weight registers of sc.slots, step by step and row by row (busy rows only: the
// kernels fold the rest; padding slots +0), and each busy row's operand offset; kept
// for the chunks that follow while the job, batch and slots stay the same.
template <DataType T>
void FloatConv<T>::slot_tables(std::size_t batch, int stride, Scratch& sc) const {
  if (sc.slot_job == job_ && sc.slot_batch == batch && sc.slot_w_of == sc.slots) return;
  sc.slot_job = job_, sc.slot_batch = batch, sc.slot_w_of = sc.slots;
  const int g0 = batches_[batch].first;
  const std::size_t steps = static_cast<std::size_t>(blocks_) * RS_;
  sc.slot_w.grow(steps * rows_ * stride);
  sc.slot_off.resize(steps * rows_);
  std::vector<std::size_t>& first = sc.slot_entries;  // [slot]: its entry at step 0
  first.clear();
  for (const auto& [g, col] : sc.slots) first.push_back(entry(g, 0, 0, col));
  for (int b = 0; b < blocks_; ++b) {
    const std::size_t block = static_cast<std::size_t>(g0) * blocks_ + b;
    const int used = tables_.block_rows[block].used;
    for (int rs = 0; rs < RS_; ++rs) {
      const std::size_t step = static_cast<std::size_t>(b) * RS_ + rs;
      for (int row = 0; row < used; ++row)
        sc.slot_off[step * rows_ + row] = row_ch_[block][row] * layout_.channel + kernel_offset_[rs];
      slot_step_weights(step, used, stride, sc);
    }
  }
  slot_masks(stride, sc);
  slot_entry_masks(stride, sc);
}

// The input, product and psum masks of the slots' PEs and columns (identity where they
// have none: SlotInput::masks, then SlotInput::psum), and the rows where some slot has
// an input or product one; none when no slot's column is masked or psum-stuck. fp16's
// input masks are on the 16-bit word.
template <DataType T>
void FloatConv<T>::slot_masks(int stride, Scratch& sc) const {
  sc.slot_input_rows = sc.slot_product_rows = 0;
  sc.slot_psum = sc.slot_psum_canonical = sc.slot_operand = false;
  const auto masked = [&](const std::pair<int, int>& slot) { return col_masked_[slot.second] || psum_stuck_[slot.second]; };
  if (std::none_of(sc.slots.begin(), sc.slots.end(), masked)) return;
  const std::size_t plane = static_cast<std::size_t>(rows_) * stride;
  // Six planes of identity: [input, product] x [keep, force] of rows * stride, psum [keep, force] of stride;
  // then slot_operand_mask's lanes.
  sc.slot_masks.resize(4 * plane + 3 * static_cast<std::size_t>(stride));
  std::uint32_t* next = sc.slot_masks.data();
  for (const std::size_t n : {plane, plane, static_cast<std::size_t>(stride)})
    next = std::fill_n(std::fill_n(next, n, ~0u), n, 0u);
  const std::uint32_t word = T == DataType::fp16 ? 0xffffu : ~0u;
  for (std::size_t j = 0; j < sc.slots.size(); ++j) {
    const int col = sc.slots[j].second;
    const unsigned in = masked_rows(col, im_), product = masked_rows(col, pm_);
    sc.slot_input_rows |= in, sc.slot_product_rows |= product;
    for (unsigned bits = in | product; bits; bits &= bits - 1) {
      const int row = __builtin_ctz(bits);
      const std::size_t pe = static_cast<std::size_t>(col) * rows_ + row, at = row * stride + j;
      sc.slot_masks[at] = im_[pe].keep & word, sc.slot_masks[plane + at] = im_[pe].force & word;
      sc.slot_masks[2 * plane + at] = pm_[pe].keep, sc.slot_masks[3 * plane + at] = pm_[pe].force;
    }
    if (!psum_stuck_[col]) continue;
    const StuckMask& m = faults_.psum(col);
    sc.slot_masks[4 * plane + j] = m.keep, sc.slot_masks[4 * plane + stride + j] = m.force;
    sc.slot_psum = true;
    sc.slot_psum_canonical = sc.slot_psum_canonical || !cs::keeps_nans(m);
  }
  slot_operand_mask(stride, sc);  // slot_operand.h
}

// The slots' stuck accumulator entries by stripe phase (SlotInput::entry: identity where
// a slot has none); none when no slot's column has one.
template <DataType T>
void FloatConv<T>::slot_entry_masks(int stride, Scratch& sc) const {
  sc.slot_entry_masks.clear();
  const auto stuck = [&](const std::pair<int, int>& slot) { return !acc_slots_[slot.second].empty(); };
  if (std::none_of(sc.slots.begin(), sc.slots.end(), stuck)) return;
  const std::size_t phases = static_cast<std::size_t>(a_.stripe_length), plane = static_cast<std::size_t>(stride);
  sc.slot_entry_phases.assign(phases, 0);
  sc.slot_entry_masks.resize(2 * phases * plane);
  for (std::size_t phase = 0; phase < phases; ++phase)
    std::fill_n(std::fill_n(sc.slot_entry_masks.data() + 2 * phase * plane, plane, ~0u), plane, 0u);
  for (std::size_t j = 0; j < sc.slots.size(); ++j) {
    const int col = sc.slots[j].second;
    for (const int slot : acc_slots_[col]) {
      const StuckMask& am = faults_.accumulator(slot, col);
      const std::size_t at = 2 * static_cast<std::size_t>(slot) * plane + j;
      sc.slot_entry_masks[at] = am.keep, sc.slot_entry_masks[at + plane] = am.force;
      sc.slot_entry_phases[static_cast<std::size_t>(slot)] = 1;
    }
  }
}

// One step's registers of every slot: eight slots' rows [r8, r8 + 8) loaded (each
// slot's registers are consecutive), transposed to eight rows of eight slots (bits
// moved, never computed on), the busy rows stored.
template <DataType T>
void FloatConv<T>::slot_step_weights(std::size_t step, int used, int stride, Scratch& sc) const {
  const int n = static_cast<int>(sc.slots.size());
  for (int r8 = 0; r8 < used; r8 += 8) {
    const __m256i lanes = register_vectors::first_lanes(std::min(8, used - r8));  // never past a row's registers
    const int rows = std::min(8, used - r8);
    for (int j0 = 0; j0 < stride; j0 += 8) {
      __m256 v[8];
      for (int i = 0; i < 8; ++i)
        v[i] = j0 + i < n ? _mm256_maskload_ps(w_at_[sc.slot_entries[j0 + i] + step * cols_] + r8, lanes)
                          : _mm256_setzero_ps();
      transpose8(v);
      for (int r = 0; r < rows; ++r) _mm256_storeu_ps(sc.slot_w.data + (step * rows_ + r8 + r) * stride + j0, v[r]);
    }
  }
}

// The slot columns' sums to out[n][oc][pq] (their selected planes), NaNs canonical (the
// columns are fused; the positions of a stuck entry as they are), image by image.
template <DataType T>
void FloatConv<T>::slot_outputs(long long chunk, int count, int stride, Scratch& sc) const {
  const long long m0 = chunk * kChunk, m_end = m0 + count;
  for (long long m = m0; m < m_end;) {
    const long long n = m / PQ_, pq = m - n * PQ_, len = std::min(PQ_ - pq, m_end - m);
    const float* a = sc.slot_acc.data + static_cast<std::size_t>(m - m0) * stride;
    for (std::size_t j = 0; j < sc.slots.size(); ++j) {
      const auto [g, col] = sc.slots[j];
      if (!sel_.plane(n, col)) continue;
      float* o = out_.data() + (n * s_.k + col_ch_[g][col]) * PQ_ + pq;
      for (long long i = 0; i < len; ++i) o[i] = canonical(a[i * stride + static_cast<long long>(j)]);
      for (const int slot : acc_slots_[col])  // a stuck entry's sums: the datapath's bits
        for (long long i = phase_distance(m, slot); i < len; i += a_.stripe_length)
          o[i] = a[i * stride + static_cast<long long>(j)];
    }
    m += len;
  }
}

}  // namespace
}  // namespace accsim
