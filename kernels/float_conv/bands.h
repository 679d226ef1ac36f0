#pragma once
// Multi-row regions by bands of output rows: every step's operands read in place from the band.
// Part of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

// Output rows a band holds: its input rows, (rows + R - 1) * ws operands of each input
// channel, fit one row of the column kernels (kRowStride) and its lanes (rows - 1) * ws +
// Q one chunk. 0: no band fits (or the layout has phases: stride > 1, or no planes).
template <DataType T>
int FloatConv<T>::band_rows() const {
  if (!layout_.by_image || layout_.stride != 1) return 0;
  const int ws = layout_.ws;
  const int rows = std::min({cs::kRowStride / ws - (s_.r - 1), (kChunk - s_.q()) / ws + 1, s_.p()});
  return std::max(rows, 0);
}

// A region with no transient flips whose columns step Fused or FusedExact (no stuck
// accumulator entry; a psum stuck-at where the row count has exact kernels), when its
// bands cost less than its chunks. Per image and kernel position, in vectors of one row
// summed: a chunk gathers each busy row (a segment per output row, about 7 vectors' cost
// each, plus its PQ / 8 vectors) and sums PQ / 8 vectors of each live column; a band
// sums its lanes (the columns q >= Q included) and copies each busy row once per block;
// each kernel call costs about kCall.
template <DataType T>
bool FloatConv<T>::by_bands() const {
  const int rows = band_rows();
  if (!region_ || !psum_flips_.empty() || !acc_flips_.empty() || rows < 1) return false;
  const long long P = s_.p(), Q = s_.q(), vectors = (P * Q + cs::kLanes - 1) / cs::kLanes;
  constexpr long long kCall = 12;  // a kernel call's own cost (setting up its input, the call)
  long long band_vectors = 0, bands = 0;
  for (long long p0 = 0; p0 < P; p0 += rows, ++bands)
    band_vectors += ((std::min<long long>(rows, P - p0) - 1) * layout_.ws + Q + cs::kLanes - 1) / cs::kLanes;
  long long chunk_cost = 0, band_cost = 0;
  for (const auto& [g0, g1] : batches_) {
    long long live = 0;
    for (int g = g0; g < g1; ++g)
      for (int col = 0; col < cols_; ++col) {
        if (col_ch_[g][col] < 0 || !sel_.col_any[col] || !group_selected(g)) continue;
        if (!acc_slots_[col].empty() || (psum_stuck_[col] && !exact_kernels_)) return false;
        ++live;
      }
    for (int b = 0; b < blocks_ && live > 0; ++b) {
      const long long busy = static_cast<long long>(busy_[static_cast<std::size_t>(g0) * blocks_ + b].size());
      chunk_cost += busy * (7 * P + vectors) + live * (busy * vectors + kCall * P * Q / kChunk);
      band_cost += live * (busy * band_vectors + kCall * bands);
    }
  }
  // Masked columns' leaves and the band loop cost more than the estimate says (campaign_bench
  // took more instructions with bands on a tie): bands only at half the chunks' cost.
  return 2 * band_cost <= chunk_cost;
}

// Images [n0, n1): each selected image laid out alone, then, batch by batch, its bands
// of output rows. Lanes are positions p * ws + q of the band (as in planes()): each
// lane's sums are those of its position in the chunk path, in the same order.
template <DataType T>
void FloatConv<T>::bands(int n0, int n1, Scratch& sc) const {
  sc.size_for(rows_, cols_);
  const std::size_t one = static_cast<std::size_t>(layout_.image) + kSlack;
  if (sc.laid.size() < one) sc.laid.resize(one);
  // Rows read past the last row's kRowStride by lanes q >= Q (dropped), whole vectors.
  const std::size_t band = static_cast<std::size_t>(rows_ + 1) * cs::kRowStride + kChunk;
  sc.band.grow(band);
  const int P = s_.p(), rows = band_rows();
  const bool in_place = s_.pad == 0;  // stride 1 unpadded: the operand is its own layout
  for (int n = n0; n < n1; ++n) {
    bool laid = false;
    for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
      const auto computed = [&](int g, int col) { return computes(n, g, col); };
      if (!live_columns(batch, 0, 1, computed, sc)) continue;
      if (!laid && !in_place) lay_out_image_alone(s_, layout_, input_, n, sc.laid.data());
      laid = true;
      const float* image = in_place ? input_ + static_cast<std::size_t>(n * layout_.image) : sc.laid.data();
      // No flips (by_bands): plan_chunk gives each column its Exactness whatever the chunk.
      plan_chunk(0, batches_[batch].first, batches_[batch].second, sc);
      for (int p0 = 0; p0 < P; p0 += rows) band_groups(image, n, p0, std::min(rows, P - p0), batch, sc);
    }
  }
}

// sc.live: per group of the batch, the columns keep(g, col) selects (slice `part` of
// `parts` of them); false: none.
template <DataType T>
template <class Keep>
bool FloatConv<T>::live_columns(std::size_t batch, int part, int parts, Keep keep, Scratch& sc) const {
  const auto [g0, g1] = batches_[batch];
  if (sc.live.size() < static_cast<std::size_t>(g1 - g0)) sc.live.resize(static_cast<std::size_t>(g1 - g0));
  bool any = false;
  for (int g = g0; g < g1; ++g) {
    std::vector<int>& live = sc.live[static_cast<std::size_t>(g - g0)];
    live.clear();
    for (int col = 0; col < cols_; ++col)
      if (keep(g, col)) live.push_back(col);
    if (parts > 1) keep_slice(live, part, parts);
    any = any || !live.empty();
  }
  return any;
}

// Row `row` of the band buffer: the input rows [p0, p0 + rows + R - 1) of the channel
// the row serves in `block` (+0 for idle rows), so that a step's operands are the
// buffer read at its kernel position's offset (masked leaves take fp16 words from the values).
template <DataType T>
void FloatConv<T>::fill_band(const float* image, std::size_t block, int p0, int rows, Scratch& sc) const {
  const std::vector<int>& row_ch = row_ch_[block];
  const long long from = static_cast<long long>(p0) * layout_.ws;
  const long long len = static_cast<long long>(rows + s_.r - 1) * layout_.ws;
  for (int row = 0; row < rows_; ++row) {
    const std::size_t to = static_cast<std::size_t>(row) * cs::kRowStride;
    if (row_ch[row] < 0) {
      std::fill_n(sc.band.data + to, cs::kRowStride, 0.0f);
      continue;
    }
    std::copy_n(image + row_ch[row] * layout_.channel + from, len, sc.band.data + to);
  }
}

// The whole accumulation of output rows [p0, p0 + rows) of image n in the batch's
// groups (the columns in sc.live, their Exactness in sc.exact), then their outputs.
// Columns never interact: each runs its steps in order, one column after another.
template <DataType T>
void FloatConv<T>::band_groups(const float* image, int n, int p0, int rows, std::size_t batch,
                               Scratch& sc) const {
  const auto [g0, g1] = batches_[batch];
  const int count = (rows - 1) * layout_.ws + s_.q();
  for (int b = 0; b < blocks_; ++b) {
    fill_band(image, static_cast<std::size_t>(g0) * blocks_ + b, p0, rows, sc);
    for (int g = g0; g < g1; ++g)
      for (const int col : sc.live[static_cast<std::size_t>(g - g0)])
        column_steps(g, col, static_cast<std::size_t>(g - g0) * cols_ + col, b, b + 1, sc.band.data,
                     tap_plane_.data(), count, sc);
  }
  for (int g = g0; g < g1; ++g)
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)]) {
      const std::size_t slot = static_cast<std::size_t>(g - g0) * cols_ + col;
      plane_outputs(n, g, col, p0, rows, sc.acc.data + slot * kChunk, sc.exact[slot] == kFused);
    }
}

template <DataType T>
void FloatConv<T>::column_steps(int g, int col, std::size_t slot, int b0, int b1, const float* x,
                                const std::ptrdiff_t* offsets, int count, Scratch& sc) const {
  const bool exact = sc.exact[slot] == kFusedExact, masked = col_masked_[col] != 0;
  cs::ColumnInput in = column_input(entry(g, b0, 0, col), col, sc);
  float* e = sc.acc.data + slot * kChunk;
  const std::size_t at0 = entry(g, b0, 0, col);  // step i's entry: at0 + i * cols_ (blocks follow each other)
  const int steps = (b1 - b0) * RS_;
  for (int i = 0; i < steps; ++i) {
    const std::size_t at = at0 + static_cast<std::size_t>(i) * cols_;
    in.x = x + offsets[i];
    in.w = w_at_[at];
    if (masked) ++sc.gathers, column_leaves(in, col, count, sc);  // new operands: new leaves
    (exact ? exact_[at] : fused_[at])(in, rows_, count, e, b0 == 0 && i == 0);
  }
}

}  // namespace
}  // namespace accsim
