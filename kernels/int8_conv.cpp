#include "kernels/int8_conv.h"

#include <algorithm>
#include <vector>

#include "arch/datapath.h"
#include "arch/hardware_fault.h"
#include "kernels/conv_operands.h"
#include "kernels/conv_selection.h"
#include "kernels/flipped_psum.h"

namespace accsim {

namespace {

constexpr int kRow = kChunk + kSlack;  // elements between a chunk's operand rows
using D = Datapath<DataType::int8>;

// One int8 job: the operands laid out once; per group and step the weight registers, per
// chunk the rows' operands, each live column's psums (masks, flips) into its accumulators
// ([col][m]); per group the selected planes written out.
class Int8Conv {
 public:
  Int8Conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
           const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region)
      : s_(job.shape), a_(a), mapping_(mapping), faults_(faults), pattern_(pattern), ops_(ops), rows_(a.atomic_c),
        cols_(a.atomic_k), M_(s_.pixels()), layout_(s_), segments_(cached_chunk_segments(s_, layout_)),
        sel_(select_region(s_, a, region)), psum_stuck_(faults.any_stuck(FaultSite::psum)),
        acc_stuck_(faults.any_stuck(FaultSite::accumulator)), psum_it_(pattern.psums.begin()),
        acc_it_(pattern.accumulator.begin()) {
    lay_out_input();
    read_pe_masks();
    const std::size_t pes = static_cast<std::size_t>(rows_) * cols_;
    w_raw_.resize(pes), w_reg_.resize(pes), x_.resize(static_cast<std::size_t>(rows_) * kRow);
    psum_.resize(kChunk), cube_.resize(static_cast<std::size_t>(rows_));
    acc_.resize(static_cast<std::size_t>(cols_) * M_);
  }

  void run(Tensor& out) {
    const int RS = s_.r * s_.s;
    for (int g = 0; g < mapping_.groups(); ++g) {
      mapping_.cols_to_channels(g, col_ch_);
      while (acc_it_ != pattern_.accumulator.end() && acc_it_->at.group < g) ++acc_it_;
      if (!group_live()) continue;
      for (int b = 0; b < mapping_.blocks(); ++b) {
        mapping_.rows_to_channels(g, b, row_ch_);
        for (int rs = 0; rs < RS; ++rs) step(g, b * RS + rs, rs / s_.s, rs % s_.s);
      }
      write_out(out);
    }
  }

 private:
  void lay_out_input() {
    std::vector<std::int32_t> values(ops_.input.size());
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = sign_extend(ops_.input[i], 8);
    input_.resize(layout_.size());
    const std::vector<char> images = sel_.images_read(s_);
    lay_out(s_, layout_, values.data(), &images, input_.data());
  }

  // Per PE, not per column: a stuck input or product on one PE leaves its column's other
  // rows on the vector loop (their masks are identities, which the plain product equals).
  // Columns with a weight stuck-at (from the fault list): only their registers pay for the
  // mask lookups, every step.
  void read_pe_masks() {
    const std::size_t pes = static_cast<std::size_t>(rows_) * cols_;
    im_.resize(pes), pm_.resize(pes), pe_masked_.assign(pes, 0);
    for (int col = 0; col < cols_; ++col)
      for (int row = 0; row < rows_; ++row) {
        const std::size_t pe = static_cast<std::size_t>(col) * rows_ + row;
        im_[pe] = faults_.input(row, col), pm_[pe] = faults_.product(row, col);
        pe_masked_[pe] = !im_[pe].identity() || !pm_[pe].identity();
      }
    weight_stuck_.assign(static_cast<std::size_t>(cols_), 0);
    for (const HardwareFault& f : faults_.faults())
      if (f.permanent() && f.site == FaultSite::weight) weight_stuck_[static_cast<std::size_t>(f.col)] = 1;
  }

  // Whether the group computes a selected position (sets live_all_, live_images_).
  bool group_live() {
    live_all_ = false, live_images_ = false;
    for (int col = 0; col < cols_; ++col)
      if (col_ch_[col] >= 0) {
        live_all_ = live_all_ || sel_.col_all[col];
        live_images_ = live_images_ || (sel_.any_images && sel_.image_cols[col]);
      }
    return live_all_ || live_images_;
  }

  // The step's weight words [col][row] and their registers' values, through the masks
  // (locals throughout: the int32 stores could alias the shape's and the job's ints).
  void load_weights(int r, int kc) {
    const int rows = rows_, cols = cols_, C = s_.c, R = s_.r, S = s_.s;
    const int* row_ch = row_ch_.data();
    const int* col_ch = col_ch_.data();
    const std::uint32_t* weights = ops_.weights.data();
    std::uint32_t* w_raw = w_raw_.data();
    std::int32_t* w_reg = w_reg_.data();
    for (int col = 0; col < cols; ++col)
      for (int row = 0; row < rows; ++row) {
        const int ic = row_ch[row], oc = col_ch[col];
        const std::uint32_t w = (ic < 0 || oc < 0) ? 0u : weights[((static_cast<long long>(oc) * C + ic) * R + r) * S + kc];
        w_raw[col * rows + row] = w;
        w_reg[col * rows + row] = sign_extend(weight_stuck_[col] ? faults_.weight(row, col).apply(w) : w, 8);
      }
  }

  void step(int g, int step, int r, int kc) {
    load_weights(r, kc);
    for (long long m0 = 0, chunk = 0; m0 < M_; m0 += kChunk, ++chunk) {
      if (!live_all_ && !(live_images_ && sel_.chunk_images[static_cast<std::size_t>(chunk)])) continue;
      const int count = static_cast<int>(std::min<long long>(kChunk, M_ - m0));
      gather_rows(chunk, r, kc, count);
      for (int col = 0; col < cols_; ++col) {
        if (col_ch_[col] < 0 || !sel_.column(chunk, col)) continue;
        column_psums(col, count);
        flip_psums(g, step, m0, col, count);
        accumulate(g, step, m0, col, count);
      }
    }
    while (acc_it_ != pattern_.accumulator.end() && acc_it_->at.group == g && acc_it_->at.step <= step) ++acc_it_;
  }

  void gather_rows(long long chunk, int r, int kc, int count) {
    for (int row = 0; row < rows_; ++row) {
      std::int32_t* xr = &x_[static_cast<std::size_t>(row) * kRow];
      const int ic = row_ch_[row];
      if (ic < 0)
        std::fill(xr, xr + count, 0);
      else
        gather_row(input_.data() + ic * layout_.channel + layout_.kernel_offset(r, kc), segments_.begin(chunk),
                   segments_.end(chunk), xr);
    }
  }

  // The column's int16 products summed in int32 (any order: integers), psum stuck-ats on.
  void column_psums(int col, int count) {
    const int rows = rows_;  // locals: the psum stores (uint32) could alias int members
    const std::size_t c0 = static_cast<std::size_t>(col) * rows;
    std::uint32_t* ps = psum_.data();
    const std::int32_t* x = x_.data();
    const std::int32_t* w_reg = w_reg_.data() + c0;
    const char* masked = pe_masked_.data() + c0;
    std::fill(ps, ps + count, 0u);
    for (int row = 0; row < rows; ++row) {
      const std::int32_t w = w_reg[row];
      const std::int32_t* xr = x + static_cast<std::size_t>(row) * kRow;
      if (masked[row]) {
        const StuckMask in = im_[c0 + row], pr = pm_[c0 + row];
        for (int i = 0; i < count; ++i) {
          const std::int32_t xi = sign_extend(in.apply(static_cast<std::uint32_t>(xr[i])), 8);
          ps[i] += static_cast<std::uint32_t>(sign_extend(pr.apply(static_cast<std::uint32_t>(w * xi)), 16));
        }
      } else {
        // |w|, |x| <= 128: the product fits the int16 word unchanged.
        for (int i = 0; i < count; ++i) ps[i] += static_cast<std::uint32_t>(w * xr[i]);
      }
    }
    if (psum_stuck_ && !faults_.psum(col).identity()) {
      const StuckMask& sm = faults_.psum(col);
      for (int i = 0; i < count; ++i) ps[i] = sm.apply(ps[i]);
    }
  }

  // The pattern's transient flips of this column's psums in the chunk: recomputed in full.
  void flip_psums(int g, int step, long long m0, int col, int count) {
    const ElementKey lo{g, step, m0, col};
    while (psum_it_ != pattern_.psums.end() && psum_it_->at < lo) ++psum_it_;
    for (auto it = psum_it_; it != pattern_.psums.end() && it->at.group == g && it->at.step == step &&
                             it->at.pixel < m0 + count;
         ++it) {
      if (it->at.col != col) continue;
      const int i = static_cast<int>(it->at.pixel - m0);
      for (int row = 0; row < rows_; ++row)
        cube_[row] = static_cast<std::uint32_t>(x_[static_cast<std::size_t>(row) * kRow + i]) & 0xffu;
      psum_[i] = flipped_psum<D>(faults_, rows_, *it, &w_raw_[static_cast<std::size_t>(col) * rows_], cube_.data(),
                                 scratch_);
    }
  }

  // The psums into the accumulators: transient flips of the accumulator before the add,
  // stuck-ats after it.
  void accumulate(int g, int step, long long m0, int col, int count) {
    const std::uint32_t* ps = psum_.data();
    std::uint32_t* e = &acc_[static_cast<std::size_t>(col) * M_ + m0];
    for (auto it = acc_it_; it != pattern_.accumulator.end() && it->at.group == g && it->at.step <= step; ++it)
      if (it->at.step == step && it->at.col == col && it->at.pixel >= m0 && it->at.pixel < m0 + count) {
        const long long i = it->at.pixel - m0;
        const long long slot = it->at.pixel % a_.stripe_length;
        e[i] = faults_.accumulator(static_cast<int>(slot), col).apply(e[i] ^ it->mask);
      }
    if (step == 0) {
      std::copy(ps, ps + count, e);
    } else {
      for (int i = 0; i < count; ++i) e[i] += ps[i];
    }
    if (acc_stuck_)
      for (int i = 0, slot = static_cast<int>(m0 % a_.stripe_length); i < count; ++i) {
        e[i] = faults_.accumulator(slot, col).apply(e[i]);
        if (++slot == a_.stripe_length) slot = 0;
      }
  }

  void write_out(Tensor& out) const {
    const long long PQ = static_cast<long long>(s_.p()) * s_.q();
    const float out_scale = ops_.output_scale();
    for (int col = 0; col < cols_; ++col) {
      const int oc = col_ch_[col];
      if (oc < 0) continue;
      const std::uint32_t* e = &acc_[static_cast<std::size_t>(col) * M_];
      for (int n = 0; n < s_.n; ++n, e += PQ) {
        if (!sel_.plane(n, col)) continue;
        float* o = out.data() + (static_cast<long long>(n) * s_.k + oc) * PQ;
        for (long long i = 0; i < PQ; ++i) o[i] = output_value(DataType::int8, e[i], out_scale);
      }
    }
  }

  const ConvShape& s_;
  const ArrayConfig& a_;
  const Mapping& mapping_;
  const PeFaults& faults_;
  const ErrorPattern& pattern_;
  const ArrayOperands& ops_;
  const int rows_, cols_;
  const long long M_;
  const OperandLayout layout_;
  const ChunkSegments& segments_;
  const Selection sel_;
  const bool psum_stuck_, acc_stuck_;
  std::vector<std::int32_t> input_;
  std::vector<StuckMask> im_, pm_;  // [col][row]
  std::vector<char> pe_masked_, weight_stuck_;
  std::vector<int> row_ch_, col_ch_;
  std::vector<std::uint32_t> w_raw_;  // [col][row] words
  std::vector<std::int32_t> w_reg_;   // [col][row] values, through the masks
  std::vector<std::int32_t> x_;       // [row][kRow]
  std::vector<std::uint32_t> psum_, cube_, scratch_;
  std::vector<std::uint32_t> acc_;  // [col][m]
  std::vector<PsumFlips>::const_iterator psum_it_;
  std::vector<AccumulatorFlip>::const_iterator acc_it_;
  bool live_all_ = false, live_images_ = false;
};

}  // namespace

void int8_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
               const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region, Tensor& out) {
  Int8Conv(job, a, mapping, faults, pattern, ops, region).run(out);
}

}  // namespace accsim
