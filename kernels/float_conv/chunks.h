#pragma once
// The chunk path: lanes of up to kChunk positions, each step's operands gathered, exact steps,
// flips, scatter. Part of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

// Chunks [begin, end), each through every group whose columns it computes.
template <DataType T>
void FloatConv<T>::chunks(long long begin, long long end, int part, int parts, Scratch& sc) const {
  if (layout_.by_image) {
    const std::size_t laid = layout_.size() * (operand_room_ ? 2 : 1);  // slot_operand's beside the images
    if (sc.laid.size() < laid) sc.laid.resize(laid);
    if (need_words_ && sc.laid_words.size() < layout_.size()) sc.laid_words.resize(layout_.size());
    sc.laid_images.assign(static_cast<std::size_t>(s_.n), 0);
  }
  for (long long chunk = begin; chunk < end; ++chunk) {
    if (layout_.by_image) lay_out_images(chunk, sc);
    for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
      const auto [g0, g1] = batches_[batch];
      const auto selected = [&](int g, int col) {
        const bool group = !region_ || region_->groups.empty() || region_->groups[static_cast<std::size_t>(g)];
        return group && col_ch_[g][col] >= 0 && sel_.column(chunk, col);
      };
      if (!live_columns(batch, part, parts, selected, sc)) continue;
      if (one_row_chunk(batch, chunk)) {
        one_row_groups(chunk, batch, sc);
        continue;
      }
      if (slot_used_[batch] > 0) slot_chunk(chunk, batch, sc);  // takes its columns out of sc.live
      const auto left = [&](const std::vector<int>& cols) { return !cols.empty(); };
      if (std::any_of(sc.live.begin(), sc.live.begin() + (g1 - g0), left)) chunk_groups(chunk, g0, g1, sc);
    }
  }
}

// The images a chunk reads, laid out into this thread's buffer when it first reaches
// them (read back from cache by the chunks that follow). Only chunks that compute
// something need their images.
template <DataType T>
void FloatConv<T>::lay_out_images(long long chunk, Scratch& sc) const {
  bool live = false;
  for (int col = 0; col < cols_ && !live; ++col) live = sel_.column(chunk, col);
  if (!live) return;
  const long long m0 = chunk * kChunk, last = std::min(M_, m0 + kChunk) - 1;
  for (long long n = m0 / PQ_; n <= last / PQ_; ++n) {
    if (sc.laid_images[static_cast<std::size_t>(n)]) continue;
    lay_out_image(s_, layout_, input_, static_cast<int>(n), sc.laid.data());
    if (need_words_)
      lay_out_image(s_, layout_, input_words_, static_cast<int>(n), sc.laid_words.data(), &word_channels_);
    sc.laid_images[static_cast<std::size_t>(n)] = 1;
  }
}

// How each column of groups [g0, g1) steps through a chunk (Exactness), and the
// groups' flips in it.
template <DataType T>
void FloatConv<T>::plan_chunk(long long chunk, int g0, int g1, Scratch& sc) const {
  sc.psum_flips.resize(static_cast<std::size_t>(g1 - g0));
  sc.acc_flips.resize(static_cast<std::size_t>(g1 - g0));
  for (int g = g0; g < g1; ++g) {
    auto [pf, pf_end] = sc.psum_flips[static_cast<std::size_t>(g - g0)] = psum_flips_.of(g, chunk);
    auto [af, af_end] = sc.acc_flips[static_cast<std::size_t>(g - g0)] = acc_flips_.of(g, chunk);
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)]) {
      bool psum_flipped = false, acc_flipped = false;
      for (auto it = pf; it != pf_end && !psum_flipped; ++it) psum_flipped = (*it)->at.col == col;
      for (auto it = af; it != af_end && !acc_flipped; ++it) acc_flipped = (*it)->at.col == col;
      const bool stuck = !acc_slots_[col].empty() || psum_stuck_[col];
      sc.exact[static_cast<std::size_t>((g - g0) * cols_ + col)] =
          psum_flipped && !acc_flipped && !stuck ? kFlipSteps
          : psum_flipped || acc_flipped || (psum_stuck_[col] && !exact_kernels_) ? kStepExact
          : !acc_slots_[col].empty()                                            ? kEntrySteps
          : psum_stuck_[col] && !plan_.psum_masked[col] ? kFusedExact
                                                        : kFused;
    }
  }
}

// The whole accumulation of one chunk in groups [g0, g1) (their rows serve the same
// channels: one gather per step for all), then their outputs.
template <DataType T>
void FloatConv<T>::chunk_groups(long long chunk, int g0, int g1, Scratch& sc) const {
  const int count = static_cast<int>(std::min<long long>(kChunk, M_ - chunk * kChunk));
  plan_chunk(chunk, g0, g1, sc);
  for (int g = g0; g < g1; ++g)  // the steps only change the weight registers
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)])
      sc.inputs[static_cast<std::size_t>(g - g0) * cols_ + col] = column_input(entry(g, 0, 0, col), col, sc);
  for (int b = 0; b < blocks_; ++b)
    for (int rs = 0; rs < RS_; ++rs) {
      const int step = b * RS_ + rs;
      gather(chunk, static_cast<std::size_t>(g0) * blocks_ + b, rs, sc);
      for (int g = g0; g < g1; ++g) {
        const std::size_t batch = static_cast<std::size_t>(g - g0);
        const auto [p0, p1] = ChunkFlips<PsumFlips>::step(sc.psum_flips[batch].first, sc.psum_flips[batch].second, step);
        const auto [a0, a1] = ChunkFlips<AccumulatorFlip>::step(sc.acc_flips[batch].first, sc.acc_flips[batch].second, step);
        const ChunkStep at{chunk, count, g, b, rs, p0, p1, a0, a1};
        for (const int col : sc.live[batch]) column_step(at, batch * cols_ + col, col, sc);
      }
    }
  for (int g = g0; g < g1; ++g) scatter(chunk, count, g, static_cast<std::size_t>(g - g0) * cols_, sc);
}

// Step (b, rs) of column col (accumulator slot `slot`) of group g in a chunk, by its
// Exactness. A flipped column's entries may be -0 after its first flip: from there its
// other steps take the exact kernel (the psum mask the identity), which keeps the trees'
// +0 that the vector fused ones drop after the first step (column_trees.h's
// accumulate_lanes; other row counts: the generic sums).
template <DataType T>
void FloatConv<T>::column_step(const ChunkStep& c, std::size_t slot, int col, Scratch& sc) const {
  const int step = c.b * RS_ + c.rs;
  float* e = sc.acc.data + slot * kChunk;
  const std::size_t at = entry(c.g, c.b, c.rs, col);
  char& how = sc.exact[slot];
  const bool flipped = (how == kFlipSteps || how == kFlipped) && flips_column(c.p0, c.p1, col);
  if (flipped || how == kStepExact || how == kEntrySteps) {
    if (!flipped && step > 0) acc_flips(c.chunk, col, c.a0, c.a1, e);
    if (exact_kernels_)
      exact_kernel_step(c.chunk, c.count, at, col, step == 0, c.p0, c.p1, e, sc);
    else
      exact_step(c.chunk, c.count, at, col, step == 0, c.p0, c.p1, e, sc);
    if (flipped) how = kFlipped;
    else stuck_entries(c.chunk, c.count, col, e);
    return;
  }
  cs::ColumnInput& in = sc.inputs[slot];  // the chunk's: only the registers change
  in.w = w_at_[at];
  const bool exact = how == kFusedExact || (how == kFlipped && exact_kernels_);
  if (col_masked_[col]) column_leaves(in, col, c.count, sc);
  (exact ? exact_[at] : fused_[at])(in, rows_, c.count, e, step == 0);
}

// The broadcast operands of one step: x[row][lane] (idle rows +0). Only the rows that
// serve a channel are gathered, and only the idle rows an earlier gather filled are
// cleared: a step costs its busy rows, not the array's.
template <DataType T>
void FloatConv<T>::gather(long long chunk, std::size_t block, int rs, Scratch& sc) const {
  const Segment* first = segments_.begin(chunk);
  const Segment* last = segments_.end(chunk);
  const std::vector<int>& row_ch = row_ch_[block];
  ++sc.gathers;
  clear_idle(row_ch, sc);
  const float* from = layout_.by_image ? sc.laid.data() : x_;
  for (const int row : busy_[block]) {
    const long long base = row_ch[row] * layout_.channel + kernel_offset_[rs];
    gather_row(from + base, first, last, sc.x.data + static_cast<std::size_t>(row) * cs::kRowStride);
    if (sc.zero_x[row]) sc.zero_x[row] = 0, sc.dirty_x.push_back(row);
  }
}

// The rows of dirty_x idle in this step set to +0 (rows past this job's are kept).
template <DataType T>
void FloatConv<T>::clear_idle(const std::vector<int>& row_ch, Scratch& sc) const {
  std::size_t kept = 0;
  for (const int row : sc.dirty_x) {
    if (row < rows_ && row_ch[row] < 0) {
      float* to = sc.x.data + static_cast<std::size_t>(row) * cs::kRowStride;
      std::fill(to, to + cs::kRowStride, 0.0f);
      sc.zero_x[row] = 1;
    } else {
      sc.dirty_x[kept++] = row;
    }
  }
  sc.dirty_x.resize(kept);
}

template <DataType T>
column_sums::ColumnInput FloatConv<T>::column_input(std::size_t at, int col, Scratch& sc) const {
  // A masked column's special rows (column_leaves fills their leaves).
  const bool masked = col_masked_[col] != 0;
  return {sc.x.data,
          w_at_[at],
          &im_[static_cast<std::size_t>(col) * rows_],
          &pm_[static_cast<std::size_t>(col) * rows_],
          sc.leaves.data,
          masked ? special(col) : nullptr,
          sc.tree.data(),
          faults_.psum(col),
          masked ? product_rows(col) : nullptr};
}

// One column's sum of one step added into its accumulator entries e[lane] as the
// datapath does it (row counts without a vector tree): canonical sums through the psum
// masks, transient flips recomputed, canonical accumulation.
template <DataType T>
void FloatConv<T>::exact_step(long long chunk, int count, std::size_t at, int col, bool first,
                              const PsumFlips* const* pf, const PsumFlips* const* pf_end, float* e, Scratch& sc) const {
  float* psum = sc.psum.data();
  cs::ColumnInput in = column_input(at, col, sc);
  if (col_masked_[col]) column_leaves(in, col, count, sc);
  (col_masked_[col] ? masked_sums_ : sums_)(in, rows_, count, psum);
  if (psum_stuck_[col]) {
    const StuckMask& sm = faults_.psum(col);
    for (int i = 0; i < count; i += cs::kLanes) _mm256_storeu_ps(psum + i, cs::apply(sm, _mm256_loadu_ps(psum + i)));
  }
  // Transient flips of this step: recompute those column sums exactly.
  for (auto it = pf; it != pf_end; ++it)
    if ((*it)->at.col == col) psum[(*it)->at.pixel - chunk * kChunk] = flipped_sum(chunk, at, **it, sc);
  if (first) {
    std::copy(psum, psum + count, e);
  } else {
    int i = 0;
    for (; i + cs::kLanes <= count; i += cs::kLanes)
      _mm256_storeu_ps(e + i, cs::canonical(_mm256_add_ps(_mm256_loadu_ps(e + i), _mm256_loadu_ps(psum + i))));
    for (; i < count; ++i) e[i] = fp32_add(e[i], psum[i]);
  }
}

// exact_step through the column's exact kernel: every lane as if unflipped, then each
// flipped lane's entry recomputed from the entry it had before the step (the kernel's
// lane is psum = mask(canonical(sum)), e = psum or canonical(e + psum): the same steps).
template <DataType T>
void FloatConv<T>::exact_kernel_step(long long chunk, int count, std::size_t at, int col, bool first,
                                     const PsumFlips* const* pf, const PsumFlips* const* pf_end, float* e,
                                     Scratch& sc) const {
  sc.flipped.clear();
  for (auto it = pf; it != pf_end; ++it)
    if ((*it)->at.col == col) {
      const int i = static_cast<int>((*it)->at.pixel - chunk * kChunk);
      sc.flipped.push_back({i, e[i]});
    }
  cs::ColumnInput in = column_input(at, col, sc);
  if (col_masked_[col]) column_leaves(in, col, count, sc);
  exact_[at](in, rows_, count, e, first);
  std::size_t k = 0;
  for (auto it = pf; it != pf_end; ++it) {
    if ((*it)->at.col != col) continue;
    const auto [i, before] = sc.flipped[k++];
    const float psum = flipped_sum(chunk, at, **it, sc);
    e[i] = first ? psum : fp32_add(before, psum);
  }
}

// The column sum of a flipped lane, exactly (the psum register's stuck-at included),
// over the rows the column's kernels read and those its flips hit (the rest are idle
// leaves of +0, folded as the kernels fold them).
template <DataType T>
float FloatConv<T>::flipped_sum(long long chunk, std::size_t at, const PsumFlips& f, Scratch& sc) const {
  const std::size_t i = static_cast<std::size_t>(f.at.pixel - chunk * kChunk);
  const std::size_t block = at / (static_cast<std::size_t>(RS_) * cols_);  // g * blocks + b
  const int live = std::max(plan_.reads[block * cols_ + f.at.col], plan_.raw_rows[f.at.col]);
  for (int row = 0; row < live; ++row) {
    const std::size_t x_at = static_cast<std::size_t>(row) * cs::kRowStride + i;
    sc.cube[row] = word_of(sc.x.data[x_at]);
  }
  return bits_float(flipped_psum<D>(faults_, rows_, f, raw_words(at, live, sc), sc.cube.data(), sc.flip, live));
}

// The words a flipped sum reads, made for the few flipped entries of a job rather than
// stored with every step's registers: the weight's word of each busy row (idle rows: 0).
template <DataType T>
const std::uint32_t* FloatConv<T>::raw_words(std::size_t at, int live, Scratch& sc) const {
  const std::size_t block = at / (static_cast<std::size_t>(RS_) * cols_);  // g * blocks + b
  const int rs = static_cast<int>(at / cols_ % RS_), col = static_cast<int>(at % cols_);
  const long long oc = col_ch_[block / blocks_][col];
  const std::vector<int>& row_ch = row_ch_[block];
  for (int row = 0; row < live; ++row) {
    const int ic = row_ch[row];
    const long long i = (oc * s_.c + ic) * RS_ + rs;
    if constexpr (T == DataType::fp16) sc.raw[row] = ic < 0 ? 0u : weight_words_[i];
    else sc.raw[row] = ic < 0 ? 0u : word_of(weights_[i]);
  }
  return sc.raw.data();
}

// The leaves of column col's masked rows in this step: the products of rows with a
// product mask at every call, the masked inputs of rows with only an input mask once
// per step (the groups of a batch share the PE's row and mask; the tree multiplies by
// each group's weight).
template <DataType T>
void FloatConv<T>::column_leaves(const cs::ColumnInput& in, int col, int count, Scratch& sc) const {
  if (sc.leaf_col == col && sc.leaf_gather == sc.gathers) {  // the masked inputs are there
    if (plan_.col_products[col]) leaves_(in, rows_, count, in.product_rows);
    return;
  }
  leaves_(in, rows_, count, in.special);
  sc.leaf_col = col, sc.leaf_gather = sc.gathers;
}

// Whether the step's psum flips [f, end) hit column col.
template <DataType T>
bool FloatConv<T>::flips_column(const PsumFlips* const* f, const PsumFlips* const* end, int col) {
  for (; f != end; ++f)
    if ((*f)->at.col == col) return true;
  return false;
}

// Stuck accumulator entries: entry `slot` holds positions m with m % stripe_length == slot.
template <DataType T>
void FloatConv<T>::stuck_entries(long long chunk, int count, int col, float* e) const {
  for (const int slot : acc_slots_[col]) {
    const StuckMask& am = faults_.accumulator(slot, col);
    for (long long i = phase_distance(chunk * kChunk, slot); i < count; i += a_.stripe_length) e[i] = am.apply(e[i]);
  }
}

// Accumulator flips of this step, before the step reads its entries (exact columns).
template <DataType T>
void FloatConv<T>::acc_flips(long long chunk, int col, const AccumulatorFlip* const* f,
                             const AccumulatorFlip* const* end, float* e) const {
  const long long m0 = chunk * kChunk;
  for (auto it = f; it != end; ++it) {
    if ((*it)->at.col != col) continue;
    const long long i = (*it)->at.pixel - m0;
    const int slot = phase_of((*it)->at.pixel);
    e[i] = faults_.accumulator(slot, col).apply(bits_float(float_bits(e[i]) ^ (*it)->mask));
  }
}

// The chunk's entries to out[n][oc][pq] (the region's planes only).
template <DataType T>
void FloatConv<T>::scatter(long long chunk, int count, int g, std::size_t slot0, const Scratch& sc) const {
  const long long m0 = chunk * kChunk, m_end = m0 + count;
  for (const int col : sc.live[slot0 / cols_]) {
    const int oc = col_ch_[g][col];
    const char how = sc.exact[slot0 + col];
    const bool fused = how == kFused || how == kFlipSteps || how == kFlipped;
    const float* e = sc.acc.data + (slot0 + col) * kChunk;
    if (PQ_ == 1) {  // one position per image: out[m][oc]
      float* o = out_.data() + m0 * s_.k + oc;
      for (int i = 0; i < count; ++i)
        if (sel_.plane(m0 + i, col)) o[static_cast<long long>(i) * s_.k] = fused ? canonical(e[i]) : e[i];
      continue;
    }
    for (long long m = m0; m < m_end;) {
      const long long n = m / PQ_, pq = m % PQ_, len = std::min(PQ_ - pq, m_end - m);
      if (sel_.plane(n, col)) {
        float* o = out_.data() + (n * s_.k + oc) * PQ_ + pq;
        if (fused)
          copy_canonical(e + (m - m0), len, o);
        else
          std::copy(e + (m - m0), e + (m - m0) + len, o);
      }
      m += len;
    }
  }
}

}  // namespace
}  // namespace accsim
