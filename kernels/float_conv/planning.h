#pragma once
// The plan of a job's columns: mapping tables, masks, kernels and weight registers per entry. Part
// of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

// The channel of every column and row of every group and block, the batches and their
// busy rows: a job of one of the thread's last 8 mappings (Plan::tables_for) keeps them.
template <DataType T>
void FloatConv<T>::plan_tables(const Mapping& mapping) {
  if (tables_.key == mapping.key()) return;
  col_ch_.resize(static_cast<std::size_t>(groups_));
  row_ch_.resize(static_cast<std::size_t>(groups_) * blocks_);
  for (int g = 0; g < groups_; ++g) {
    mapping.cols_to_channels(g, col_ch_[g]);
    for (int b = 0; b < blocks_; ++b) mapping.rows_to_channels(g, b, row_ch_[g * blocks_ + b]);
  }
  tables_.block_rows.clear();
  for (const std::vector<int>& rows : row_ch_) tables_.block_rows.push_back(block_rows(rows, rows_));
  plan_batches();
  plan_busy_rows();
  tables_.key = mapping.key();
}

// Input and product masks per PE; only columns with a non-identity one pay for them.
// The masked PEs, and the columns with a weight stuck-at, come from the fault list: a
// job on a large array pays per fault, not per PE.
template <DataType T>
void FloatConv<T>::plan_masks() {
  // Identity everywhere: only the entries the last call set are reset (a job pays per
  // fault, not per PE).
  const std::size_t pes = static_cast<std::size_t>(rows_) * cols_;
  if (im_.size() != pes) {
    im_.assign(pes, StuckMask{}), pm_.assign(pes, StuckMask{});
  } else {
    for (const std::size_t pe : plan_.masked_pes) im_[pe] = pm_[pe] = StuckMask{};
  }
  plan_.masked_pes.clear();
  col_masked_.assign(cols_, 0);
  plan_.col_products.assign(cols_, 0);
  psum_stuck_.assign(cols_, 0);
  plan_.psum_masked.assign(cols_, 0);
  plan_.weight_stuck.assign(cols_, 0);
  word_rows_.assign(rows_, 0);
  acc_slots_.resize(static_cast<std::size_t>(cols_));
  for (auto& slots : acc_slots_) slots.clear();
  const std::size_t words = static_cast<std::size_t>(rows_ + 63) / 64;
  plan_.special.assign(words * cols_, 0);
  plan_.products.assign(words * cols_, 0);
  for (const HardwareFault& f : faults_.faults()) {
    if (!f.permanent()) continue;
    if (f.site == FaultSite::weight) plan_.weight_stuck[f.col] = 1;
    if (f.site != FaultSite::input && f.site != FaultSite::product) continue;
    const int row = f.row, col = f.col;
    StuckMask in = faults_.input(row, col);
    if constexpr (T == DataType::bf16) in = {(in.keep << 16) | 0xffffu, in.force << 16};  // on the fp32 view
    plan_.masked_pes.push_back(static_cast<std::size_t>(col) * rows_ + row);
    im_[col * rows_ + row] = in;
    pm_[col * rows_ + row] = faults_.product(row, col);
    word_rows_[row] |= !in.identity();
    if (in.identity() && pm_[col * rows_ + row].identity()) continue;
    col_masked_[col] = 1;
    plan_.special[col * words + row / 64] |= std::uint64_t{1} << (row % 64);
    if (pm_[col * rows_ + row].identity()) continue;
    plan_.products[col * words + row / 64] |= std::uint64_t{1} << (row % 64);
    plan_.col_products[col] = 1;
  }
  for (int col = 0; col < cols_; ++col) {
    psum_stuck_[col] = !faults_.psum(col).identity();
    // One step: the output is the masked sum itself (a NaN's bits observed), not a canonical accumulation.
    plan_.psum_masked[col] =
        psum_stuck_[col] && exact_kernels_ && blocks_ * RS_ > 1 && cs::keeps_nans(faults_.psum(col));
    if (faults_.any_stuck(FaultSite::accumulator))
      for (int slot = 0; slot < a_.stripe_length; ++slot)
        if (!faults_.accumulator(slot, col).identity()) acc_slots_[col].push_back(slot);
  }
  // fp16: input masks act on the input words (flipped sums take theirs from the values).
  need_words_ = T == DataType::fp16 && std::find(word_rows_.begin(), word_rows_.end(), 1) != word_rows_.end();
}

// The weight registers of every step, [col][row] through their stuck-at masks, and the
// fused kernel of each column: idle trailing rows skipped when their products are +0.
// Only the registers a kernel reads are written (idle rows only for the kernels that
// read every row); columns no chunk computes get none.
template <DataType T>
void FloatConv<T>::plan_weights(const float* weights, const std::uint16_t* weight_words, int threads) {
  const std::size_t entries = static_cast<std::size_t>(groups_) * blocks_ * RS_ * cols_;
  if (w_reg_.size() < entries * rows_) w_reg_.resize(entries * rows_);
  if (w_at_.size() < entries) w_at_.resize(entries);
  raw_ = !psum_flips_.empty();
  plan_.raw_cols.assign(cols_, 0);
  plan_.raw_rows.assign(cols_, 0);
  for (const PsumFlips& f : pattern_psums_) {
    plan_.raw_cols[f.at.col] = 1;
    int& last = plan_.raw_rows[f.at.col];
    for (const auto* flips : {&f.weight, &f.input, &f.product})
      for (const RowFlip& x : *flips) last = std::max(last, x.row + 1);
  }
  if (raw_) plan_.reads.resize(entries / RS_);
  fused_.assign(entries, nullptr);
  exact_.assign(entries, nullptr);
  // Only columns with a weight stuck-at read wm and idle (the rest: identity, word 0 is
  // +0 in every format).
  const std::size_t pes = static_cast<std::size_t>(rows_) * cols_;
  if (plan_.idle.size() != pes) {
    plan_.idle.assign(pes, 0.0f);
  } else {  // +0 everywhere: only the columns the last call set are reset
    for (const int col : plan_.idle_cols)
      std::fill_n(plan_.idle.begin() + static_cast<std::ptrdiff_t>(col) * rows_, rows_, 0.0f);
  }
  plan_.idle_cols.clear();
  plan_.wm.resize(pes);
  for (int col = 0; col < cols_; ++col)
    if (plan_.weight_stuck[col]) {
      plan_.idle_cols.push_back(col);
      for (int row = 0; row < rows_; ++row) {
        const StuckMask m = faults_.weight(row, col);
        plan_.wm[col * rows_ + row] = m;
        plan_.idle[col * rows_ + row] = register_float(T, m.apply(0u));
      }
    }
  plan_zero_rows();
  plan_plain();
  const bool flips = !psum_flips_.empty() || !acc_flips_.empty();
  // Backward-weight jobs hold dY as weights: hundreds of thousands of registers, planned
  // by column slices side by side.
  const int parts = threads > 1 && s_.macs() >= kSplitMacs && entries * rows_ >= kSplitRegisters
                        ? std::min(threads, cols_) : 1;
  const auto slice = [&](int i) {
    plan_columns(weights, weight_words, flips, cols_ * i / parts, cols_ * (i + 1) / parts);
  };
  if (parts > 1)
    run_parts(parts, slice);
  else
    slice(0);
}

// An idle row's product is weight x (+0): +0 exactly when the weight register holds a
// finite value with the sign bit clear (a stuck-at may have set bits) and the PE has no
// input or product mask.
template <DataType T>
bool FloatConv<T>::idle_product_zero(std::size_t pe) const {
  const std::uint32_t wb = float_bits(plan_.idle[pe]);
  return !(wb & 0x80000000u) && (wb & 0x7f800000u) != 0x7f800000u && im_[pe].identity() && pm_[pe].identity();
}

// Only a PE with a permanent weight, input or product fault can fail idle_product_zero
// (every other idle register holds word 0, every other mask is identity): rows from
// 1 + the last such row on pass.
template <DataType T>
void FloatConv<T>::plan_zero_rows() {
  plan_.zero_from.assign(cols_, 0);
  for (const HardwareFault& f : faults_.faults()) {
    if (!f.permanent() || (f.site != FaultSite::weight && f.site != FaultSite::input && f.site != FaultSite::product))
      continue;
    if (!idle_product_zero(static_cast<std::size_t>(f.col) * rows_ + f.row))
      plan_.zero_from[f.col] = std::max(plan_.zero_from[f.col], f.row + 1);
  }
}

// The columns planned the common way (plain_column): no input or product mask, no psum,
// accumulator or weight stuck-at, idle rows of +0 products, no psum flips (no raw words).
template <DataType T>
void FloatConv<T>::plan_plain() {
  plan_.plain.assign(static_cast<std::size_t>(cols_), 0);
  for (int col = 0; col < cols_; ++col)
    plan_.plain[col] = !col_masked_[col] && !psum_stuck_[col] && acc_slots_[col].empty() && !plan_.weight_stuck[col] &&
                       plan_.zero_from[col] == 0 && !plan_.raw_cols[col];
  plan_.all_plain = std::find(plan_.plain.begin(), plan_.plain.end(), 0) == plan_.plain.end();
}

template <DataType T>
void FloatConv<T>::plan_columns(const float* weights, const std::uint16_t* weight_words, bool flips, int c0, int c1) {
  std::vector<Kernels> kernels(2 * static_cast<std::size_t>(rows_ + 1));
  for (int g = 0; g < groups_; ++g) {
    if (region_ && !region_->groups.empty() && !region_->groups[static_cast<std::size_t>(g)]) continue;
    const int* col_ch = col_ch_[g].data();
    const char* col_any = sel_.col_any.data();
    const char* plain = plan_.plain.data();
    for (int b = 0; b < blocks_; ++b) {
      const BlockRows& br = tables_.block_rows[static_cast<std::size_t>(g) * blocks_ + b];
      const PlainBlock pb = plain_block(br, flips, kernels);
      if (pb.consecutive) consecutive_block(weights, weight_words, pb, br.first_channel, g, b, c0, c1);
      if (pb.consecutive && plan_.all_plain) continue;
      for (int col = c0; col < c1; ++col) {
        const int oc = col_ch[col];
        if (oc < 0 || !col_any[col] || (plain[col] && pb.consecutive)) continue;  // no chunk computes it, or planned
        if (plain[col])
          plain_column(weights, weight_words, pb, g, b, col, oc);
        else
          plan_column(weights, weight_words, flips, br, g, b, col, oc, kernels);
      }
    }
  }
}

// The kernels of a column reading `reads` rows, looked up once per call (fully-connected
// jobs plan thousands of (group, block, column) steps of one register row each).
template <DataType T>
const Kernels& FloatConv<T>::kernels_of(std::vector<Kernels>& kernels, int reads, bool masked, bool exact,
                                        bool psum_masked) const {
  Kernels& k = kernels[static_cast<std::size_t>(reads) * 2 + masked];
  if (!k.fused) k.fused = cs::accumulate_fn(rows_, reads, masked);
  if (exact && !k.exact) k.exact = cs::exact_accumulate_fn(rows_, reads, masked);
  if (psum_masked && !k.masked) k.masked = cs::masked_accumulate_fn(rows_, reads, masked);
  return k;
}

// Column col's registers and kernels of every step of block b of group g.
template <DataType T>
void FloatConv<T>::plan_column(const float* weights, const std::uint16_t* weight_words, bool flips,
                               const BlockRows& br, int g, int b, int col, int oc, std::vector<Kernels>& kernels) {
  const bool idle_zero = br.trailing_idle && br.used >= plan_.zero_from[col];
  // The exact kernels fold idle rows as the fused ones; exact_step reads every row
  // (only where the row count has no vector tree: folds_idle_rows is false).
  // (Masked rows are used rows when idle_zero holds: idle ones have identity masks.)
  const bool every_row = !idle_zero || !folds_;
  const int reads = idle_zero ? br.used : rows_;
  const bool exact = flips || psum_stuck_[col] || !acc_slots_[col].empty();
  const Kernels& k = kernels_of(kernels, reads, col_masked_[col] != 0, exact, plan_.psum_masked[col]);
  if (raw_) plan_.reads[(static_cast<std::size_t>(g) * blocks_ + b) * cols_ + col] = reads;
  weight_registers(weights, weight_words, row_ch_[g * blocks_ + b], g, b, col, oc, every_row,
                   br.trailing_idle ? br.used : rows_);
  set_kernels(g, b, col, plan_.psum_masked[col] ? k.masked : k.fused, exact ? k.exact : nullptr);
}

// What plan_column gives a block's plain columns (plan_plain: idle rows give +0 products,
// no masks, no flipped words), worked out once per block.
template <DataType T>
PlainBlock FloatConv<T>::plain_block(const BlockRows& br, bool flips, std::vector<Kernels>& kernels) const {
  PlainBlock pb;
  pb.reads = br.trailing_idle ? br.used : rows_;
  pb.rows = br.trailing_idle && folds_ ? br.used : rows_;  // the registers a kernel reads
  const Kernels& k = kernels_of(kernels, pb.reads, false, flips, false);
  pb.fused = k.fused, pb.exact = flips ? k.exact : nullptr;
  pb.consecutive = RS_ == 1 && br.first_channel >= 0 && pb.rows == br.used;
  return pb;
}

// plan_column for a plain column.
template <DataType T>
void FloatConv<T>::plain_column(const float* weights, const std::uint16_t* weight_words, const PlainBlock& pb, int g,
                                int b, int col, int oc) {
  if (raw_) plan_.reads[(static_cast<std::size_t>(g) * blocks_ + b) * cols_ + col] = pb.reads;
  weight_registers(weights, weight_words, row_ch_[g * blocks_ + b], g, b, col, oc, pb.rows == rows_, pb.rows);
  set_kernels(g, b, col, pb.fused, pb.exact);
}

// The plain columns of block b of group g in columns [c0, c1) when its rows serve
// consecutive channels from `first` (pb.consecutive, one kernel position): each
// column's registers are one run of its weights.
template <DataType T>
void FloatConv<T>::consecutive_block(const float* weights, const std::uint16_t* weight_words, const PlainBlock& pb,
                                     int first, int g, int b, int c0, int c1) {
  const std::size_t at0 = entry(g, b, 0, 0);  // column col's entry: at0 + col
  const int* col_ch = col_ch_[g].data();
  const char* col_any = sel_.col_any.data();
  const char* plain = plan_.plain.data();
  float* w = w_reg_.data() + at0 * rows_;
  const float** w_at = w_at_.data() + at0;
  cs::AccumulateFn* fused = fused_.data() + at0;
  cs::AccumulateFn* exact = exact_.data() + at0;
  int* reads = raw_ ? plan_.reads.data() + (static_cast<std::size_t>(g) * blocks_ + b) * cols_ : nullptr;
  const long long channels = s_.c;
  const int rows = pb.rows, stride = rows_;
  for (int col = c0; col < c1; ++col) {
    const int oc = col_ch[col];
    if (oc < 0 || !col_any[col] || !plain[col]) continue;
    float* registers = w + static_cast<std::size_t>(col) * stride;
    // fp32 registers are the weights' bits: the kernels read the weights in place.
    if constexpr (T == DataType::fp32)
      w_at[col] = weights + oc * channels + first;
    else
      w_at[col] = registers, consecutive_registers(weights, weight_words, oc * channels + first, rows, registers);
    fused[col] = pb.fused, exact[col] = pb.exact;
    if (reads) reads[col] = pb.reads;
  }
}

template <DataType T>
void FloatConv<T>::set_kernels(int g, int b, int col, cs::AccumulateFn fused, cs::AccumulateFn exact) {
  for (int rs = 0; rs < RS_; ++rs) {
    const std::size_t at = entry(g, b, rs, col);
    fused_[at] = fused;
    exact_[at] = exact;
    w_at_[at] = &w_reg_[at * rows_];
  }
}

// Consecutive groups whose rows serve the same channels in every block, up to
// kBatchColumns columns together.
template <DataType T>
void FloatConv<T>::plan_batches() {
  const int most = std::max(1, kBatchColumns / cols_);
  batches_.clear();
  for (int g0 = 0; g0 < groups_;) {
    int g1 = g0 + 1;
    auto same_rows = [&](int g) {
      for (int b = 0; b < blocks_; ++b)
        if (row_ch_[g * blocks_ + b] != row_ch_[g0 * blocks_ + b]) return false;
      return true;
    };
    while (g1 < groups_ && g1 - g0 < most && same_rows(g1)) ++g1;
    batches_.push_back({g0, g1});
    g0 = g1;
  }
}

// The rows serving a channel in each block of each batch's first group (a batch's
// groups share them): the rows gather fills.
template <DataType T>
void FloatConv<T>::plan_busy_rows() {
  busy_.resize(row_ch_.size());
  for (const auto& [g0, g1] : batches_)
    for (int b = 0; b < blocks_; ++b) {
      const std::size_t block = static_cast<std::size_t>(g0) * blocks_ + b;
      busy_[block].clear();
      for (int row = 0; row < rows_; ++row)
        if (row_ch_[block][row] >= 0) busy_[block].push_back(row);
    }
}

}  // namespace
}  // namespace accsim
