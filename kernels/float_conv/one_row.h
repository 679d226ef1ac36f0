#pragma once
// One-row jobs (kernels/one_row_sums.h): a batch whose groups use one row, its chains per column.
// Part of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

// A batch takes the one-row path when its groups use one row (a single block, one
// channel) and each of its columns sums that row's product with idle leaves of exactly
// +0 but at most one finite constant (one_row_leaves), on the vector trees' row counts
// only, where column_sums folds idle rows the same way. Stuck accumulator entries mask
// each lane's entry after every step, as stuck_entries does on the chunk path.
template <DataType T>
void FloatConv<T>::plan_one_row() {
  one_row_.assign(batches_.size(), -1);
  if (blocks_ != 1 || rows_ < 2 || !cs::folds_idle_rows(rows_)) return;
  for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
    const auto [g0, g1] = batches_[batch];
    const std::vector<int>& row_ch = row_ch_[g0];  // the batch's groups share their rows
    const int used = static_cast<int>(std::count_if(row_ch.begin(), row_ch.end(), [](int ic) { return ic >= 0; }));
    if (used != 1) continue;
    const int row = static_cast<int>(std::find_if(row_ch.begin(), row_ch.end(), [](int ic) { return ic >= 0; }) -
                                     row_ch.begin());
    bool ok = true;
    for (int g = g0; g < g1 && ok; ++g)
      for (int col = 0; col < cols_ && ok; ++col) ok = col_ch_[g][col] < 0 || one_row_column(row, col);
    if (ok) one_row_[batch] = row;
  }
}

template <DataType T>
bool FloatConv<T>::one_row_column(int row, int col) const {
  float leaf;
  return one_row_leaves(row, col, leaf);
}

// Whether column col's idle leaves beside `row` are +0 but at most one, a finite constant
// (`leaf`, else +0): a faulty idle PE's product. With a +0 leaf beside the two (three rows
// or more), the tree's sum is (p + leaf) + 0 in any shape (one_row_sums.h).
template <DataType T>
bool FloatConv<T>::one_row_leaves(int row, int col, float& leaf) const {
  leaf = 0.0f;
  bool found = false;
  for (int other = 0; other < rows_; ++other) {
    const std::size_t pe = static_cast<std::size_t>(col) * rows_ + other;
    if (other == row || idle_product_zero(pe)) continue;
    const float p = idle_product(pe);
    if (float_bits(p) == 0u) continue;
    if (found || rows_ < 3 || !std::isfinite(p)) return false;
    found = true;
    leaf = p;
  }
  return true;
}

// An idle PE's product: its input register (+0 through its mask) times its weight register,
// through its product mask, as the kernels make a masked leaf.
template <DataType T>
float FloatConv<T>::idle_product(std::size_t pe) const {
  const float x =
      T == DataType::fp16 ? fp16_to_fp32(static_cast<std::uint16_t>(im_[pe].apply(0u))) : im_[pe].apply(0.0f);
  const float p = plan_.idle[pe] * x;
  return pm_[pe].identity() ? p : pm_[pe].apply(canonical(p));
}

// Transient flips in the chunk take the general path (they recompute single sums).
template <DataType T>
bool FloatConv<T>::one_row_chunk(std::size_t batch, long long chunk) const {
  if (one_row_[batch] < 0) return false;
  for (int g = batches_[batch].first; g < batches_[batch].second; ++g) {
    const auto [pf, pf_end] = psum_flips_.of(g, chunk);
    const auto [af, af_end] = acc_flips_.of(g, chunk);
    if (pf != pf_end || af != af_end) return false;
  }
  return true;
}

// The whole accumulation of one chunk of one-row groups [g0, g1): the row's operand of
// every step gathered once, then each column's chain over the steps, then the outputs.
template <DataType T>
void FloatConv<T>::one_row_groups(long long chunk, std::size_t batch, Scratch& sc) const {
  const int count = static_cast<int>(std::min<long long>(kChunk, M_ - chunk * kChunk));
  const auto [g0, g1] = batches_[batch];
  const int row = one_row_[batch];
  const long long base = row_ch_[g0][row] * layout_.channel;
  const Segment* first = segments_.begin(chunk);
  const Segment* last = segments_.end(chunk);
  const std::size_t rows = static_cast<std::size_t>(RS_) * cs::kRowStride;
  sc.taps.grow(rows);
  const bool words = need_words_ && word_rows_[row];
  if (words && sc.tap_words.size() < rows) sc.tap_words.resize(rows);
  for (int rs = 0; rs < RS_; ++rs) {
    const std::size_t to = static_cast<std::size_t>(rs) * cs::kRowStride;
    gather_row((layout_.by_image ? sc.laid.data() : x_) + base + kernel_offset_[rs], first, last, sc.taps.data + to);
    if (words)
      gather_row((layout_.by_image ? sc.laid_words.data() : xw_) + base + kernel_offset_[rs], first, last,
                 sc.tap_words.data() + to);
  }
  for (int g = g0; g < g1; ++g)
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)]) {
      const std::size_t slot = static_cast<std::size_t>(g - g0) * cols_ + col;
      sc.exact[slot] = exact_column(col) ? kFusedExact : kFused;
      one_row_chain(g, col, row, sc.taps.data, words ? sc.tap_words.data() : nullptr, tap_rows_.data(), count,
                    sc.acc.data + slot * kChunk, LanePositions{chunk * kChunk, kChunk, kChunk}, sc);
    }
  for (int g = g0; g < g1; ++g) scatter(chunk, count, g, static_cast<std::size_t>(g - g0) * cols_, sc);
}

template <DataType T>
void FloatConv<T>::one_row_chain(int g, int col, int row, const float* taps, const std::uint16_t* tap_words,
                                const std::ptrdiff_t* offsets, int count, float* acc, const LanePositions& lanes,
                                Scratch& sc) const {
  namespace ors = one_row_sums;
  const std::size_t pe = static_cast<std::size_t>(col) * rows_ + row;
  float w[64];
  std::vector<float> long_w;  // kernels of more than 64 positions (backward-weight jobs)
  float* wr = RS_ <= 64 ? w : (long_w.resize(static_cast<std::size_t>(RS_)), long_w.data());
  for (int rs = 0; rs < RS_; ++rs) wr[rs] = w_at_[entry(g, 0, rs, col)][row];
  const ors::InputMask in = im_[pe].identity()       ? ors::InputMask::none
                            : T == DataType::fp16 ? ors::InputMask::fp16_word
                                                  : ors::InputMask::fp32_view;
  const bool entries = !acc_slots_[col].empty();
  if (entries) entry_lanes(col, count, lanes, sc);
  float leaf;
  one_row_leaves(row, col, leaf);
  const ors::OneRowInput input{taps,
                               tap_words,
                               offsets,
                               wr,
                               RS_,
                               im_[pe],
                               pm_[pe],
                               faults_.psum(col),
                               entries ? sc.entry_keep.data() : nullptr,
                               entries ? sc.entry_force.data() : nullptr,
                               leaf};
  const ors::OneRowKind kind{exact_column(col), in, !pm_[pe].identity(), entries, float_bits(leaf) != 0u};
  ors::one_row_fn(kind)(input, count, acc);
}

// The masks of the accumulator entries column col's lanes [0, count) accumulate in (entry
// slot holds positions m with m % stripe_length == slot; identity where none is stuck), to
// the next whole vector of sixteen lanes (the kernels read whole vectors). A row of lanes
// holds consecutive positions: one division a row. Kept while the job, column and lanes'
// phase in the stripe stay (every image's plane of LeNet's conv1: 784 positions, 49
// stripes).
template <DataType T>
void FloatConv<T>::entry_lanes(int col, int count, const LanePositions& lanes, Scratch& sc) const {
  const int L = a_.stripe_length;
  const std::array<long long, 6> key{static_cast<long long>(job_), col, phase_of(lanes.first),
                                     lanes.width, lanes.kept, count};
  if (sc.entry_key == key) return;
  sc.entry_key = key;
  const std::size_t size = (static_cast<std::size_t>(count) + 15) / 16 * 16;
  sc.entry_keep.assign(size, ~0u);
  sc.entry_force.assign(size, 0u);
  for (int lane0 = 0; lane0 < count; lane0 += lanes.width) {
    int slot = phase_of(lanes.of(lane0));
    const int kept = std::min(lanes.kept, count - lane0);
    for (int i = lane0; i < lane0 + kept; ++i, slot = slot + 1 == L ? 0 : slot + 1) {
      const StuckMask& am = faults_.accumulator(slot, col);
      sc.entry_keep[static_cast<std::size_t>(i)] = am.keep;
      sc.entry_force[static_cast<std::size_t>(i)] = am.force;
    }
  }
}

}  // namespace
}  // namespace accsim
