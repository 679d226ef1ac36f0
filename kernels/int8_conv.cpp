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

// The PEs' input and product masks ([col][row]) and which PEs have one; the columns with
// a weight stuck-at (from the fault list): only their registers pay for the mask lookups.
struct PeMasks {
  std::vector<StuckMask> input, product;
  // Per PE, not per column: a stuck input or product on one PE leaves its column's other
  // rows on the vector loop (their masks are identities, which the plain product equals).
  std::vector<char> masked;
  std::vector<char> weight_stuck;  // [col]
  PeMasks(const PeFaults& faults, int rows, int cols)
      : input(static_cast<std::size_t>(rows) * cols), product(input.size()), masked(input.size(), 0),
        weight_stuck(static_cast<std::size_t>(cols), 0) {
    for (int col = 0; col < cols; ++col)
      for (int row = 0; row < rows; ++row) {
        const std::size_t pe = static_cast<std::size_t>(col) * rows + row;
        input[pe] = faults.input(row, col), product[pe] = faults.product(row, col);
        masked[pe] = !input[pe].identity() || !product[pe].identity();
      }
    for (const HardwareFault& f : faults.faults())
      if (f.permanent() && f.site == FaultSite::weight) weight_stuck[static_cast<std::size_t>(f.col)] = 1;
  }
};

// The job's operand values (sign-extended words) laid out for the chunks.
std::vector<std::int32_t> laid_out_input(const ConvShape& s, const OperandLayout& layout, const ArrayOperands& ops,
                                         const Selection& sel) {
  std::vector<std::int32_t> values(ops.input.size());
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = sign_extend(ops.input[i], 8);
  std::vector<std::int32_t> input(layout.size());
  const std::vector<char> images = sel.images_read(s);
  lay_out(s, layout, values.data(), &images, input.data());
  return input;
}

// One step's weight words [col][row] and their registers' values, through the masks.
void load_weights(const ConvShape& s, const ArrayOperands& ops, const PeFaults& faults, const PeMasks& pm,
                  const std::vector<int>& row_ch, const std::vector<int>& col_ch, int r, int kc, int rows, int cols,
                  std::uint32_t* w_raw, std::int32_t* w_reg) {
  for (int col = 0; col < cols; ++col)
    for (int row = 0; row < rows; ++row) {
      const int ic = row_ch[row], oc = col_ch[col];
      const std::uint32_t w =
          (ic < 0 || oc < 0) ? 0u : ops.weights[((static_cast<long long>(oc) * s.c + ic) * s.r + r) * s.s + kc];
      w_raw[col * rows + row] = w;
      w_reg[col * rows + row] = sign_extend(pm.weight_stuck[col] ? faults.weight(row, col).apply(w) : w, 8);
    }
}

// Whether a group's columns compute a selected position: for every position (live_all)
// or for the selected images' (live_images).
bool group_live(const Selection& sel, const std::vector<int>& col_ch, bool& live_all, bool& live_images) {
  for (std::size_t col = 0; col < col_ch.size(); ++col)
    if (col_ch[col] >= 0) {
      live_all = live_all || sel.col_all[col];
      live_images = live_images || (sel.any_images && sel.image_cols[col]);
    }
  return live_all || live_images;
}

// The chunk's operands of every row at kernel position (r, kc): [row][kRow], 0 for rows
// serving no channel.
void gather_rows(const std::vector<std::int32_t>& input, const OperandLayout& layout, const ChunkSegments& segments,
                 const std::vector<int>& row_ch, long long chunk, int r, int kc, int count, std::int32_t* x) {
  for (std::size_t row = 0; row < row_ch.size(); ++row) {
    std::int32_t* xr = &x[row * kRow];
    const int ic = row_ch[row];
    if (ic < 0)
      std::fill(xr, xr + count, 0);
    else
      gather_row(input.data() + ic * layout.channel + layout.kernel_offset(r, kc), segments.begin(chunk),
                 segments.end(chunk), xr);
  }
}

// The pattern's transient flips of one column's psums in a chunk (from `at`: group, step,
// first position, column), each such psum recomputed whole from the rows' operands.
void flip_psums(const PeFaults& faults, std::vector<PsumFlips>::const_iterator from,
                std::vector<PsumFlips>::const_iterator end, const ElementKey& at, int count, int rows,
                const std::int32_t* x, const std::uint32_t* w_raw, std::vector<std::uint32_t>& cube,
                std::vector<std::uint32_t>& scratch, std::uint32_t* ps) {
  for (auto it = from; it != end && it->at.group == at.group && it->at.step == at.step && it->at.pixel < at.pixel + count;
       ++it) {
    if (it->at.col != at.col) continue;
    const int i = static_cast<int>(it->at.pixel - at.pixel);
    for (int row = 0; row < rows; ++row)
      cube[static_cast<std::size_t>(row)] = static_cast<std::uint32_t>(x[static_cast<std::size_t>(row) * kRow + i]) & 0xffu;
    ps[i] = flipped_psum<D>(faults, rows, *it, w_raw, cube.data(), scratch);
  }
}

// Column c0 / rows' int16 products of `count` positions summed in int32 (any order:
// integers) into ps.
void column_psums(const PeMasks& pm, const std::int32_t* w_reg, const std::int32_t* x, std::size_t c0, int rows,
                  int count, std::uint32_t* ps) {
  std::fill(ps, ps + count, 0u);
  for (int row = 0; row < rows; ++row) {
    const std::int32_t w = w_reg[c0 + row];
    const std::int32_t* xr = &x[static_cast<std::size_t>(row) * kRow];
    if (pm.masked[c0 + row]) {
      const StuckMask in = pm.input[c0 + row], pr = pm.product[c0 + row];
      for (int i = 0; i < count; ++i) {
        const std::int32_t xi = sign_extend(in.apply(static_cast<std::uint32_t>(xr[i])), 8);
        ps[i] += static_cast<std::uint32_t>(sign_extend(pr.apply(static_cast<std::uint32_t>(w * xi)), 16));
      }
    } else {
      // |w|, |x| <= 128: the product fits the int16 word unchanged.
      for (int i = 0; i < count; ++i) ps[i] += static_cast<std::uint32_t>(w * xr[i]);
    }
  }
}

// The accumulator entries e[0, count) of column col from position m0: the pattern's flips
// of this step before the add, the psums added (the first step copies them), stuck-ats after.
void accumulate(const ErrorPattern& pattern, std::vector<AccumulatorFlip>::const_iterator acc_it,
                const PeFaults& faults, int stripe_length, bool acc_stuck, int g, int step, long long m0, int col,
                int count, const std::uint32_t* __restrict ps, std::uint32_t* __restrict e) {
  for (auto it = acc_it; it != pattern.accumulator.end() && it->at.group == g && it->at.step <= step; ++it)
    if (it->at.step == step && it->at.col == col && it->at.pixel >= m0 && it->at.pixel < m0 + count) {
      const long long i = it->at.pixel - m0;
      const long long slot = it->at.pixel % stripe_length;
      e[i] = faults.accumulator(static_cast<int>(slot), col).apply(e[i] ^ it->mask);
    }
  if (step == 0) {
    std::copy(ps, ps + count, e);
  } else {
    for (int i = 0; i < count; ++i) e[i] += ps[i];
  }
  if (acc_stuck)
    for (int i = 0, slot = static_cast<int>(m0 % stripe_length); i < count; ++i) {
      e[i] = faults.accumulator(slot, col).apply(e[i]);
      if (++slot == stripe_length) slot = 0;
    }
}

// The selected planes of group's columns from their accumulators ([col][m]).
void write_out(const ConvShape& s, const Selection& sel, const std::vector<int>& col_ch, const std::uint32_t* acc,
               long long M, float out_scale, Tensor& out) {
  const long long PQ = static_cast<long long>(s.p()) * s.q();
  for (int col = 0; col < static_cast<int>(col_ch.size()); ++col) {
    const int oc = col_ch[col];
    if (oc < 0) continue;
    const std::uint32_t* e = &acc[static_cast<std::size_t>(col) * M];
    for (int n = 0; n < s.n; ++n, e += PQ) {
      if (!sel.plane(n, col)) continue;
      float* o = out.data() + (static_cast<long long>(n) * s.k + oc) * PQ;
      for (long long i = 0; i < PQ; ++i) o[i] = output_value(DataType::int8, e[i], out_scale);
    }
  }
}

}  // namespace

void int8_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
               const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region, Tensor& out) {
  const ConvShape& s = job.shape;
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels();
  const bool psum_stuck = faults.any_stuck(FaultSite::psum), acc_stuck = faults.any_stuck(FaultSite::accumulator);
  const OperandLayout layout(s);
  const ChunkSegments& segments = cached_chunk_segments(s, layout);
  const Selection sel = select_region(s, a, region);
  const std::vector<std::int32_t> input = laid_out_input(s, layout, ops, sel);
  const PeMasks pm(faults, rows, cols);

  std::vector<int> row_ch, col_ch;
  std::vector<std::uint32_t> w_raw(static_cast<std::size_t>(rows) * cols);  // [col][row] words
  std::vector<std::int32_t> w_reg(w_raw.size());                             // [col][row] values, through the masks
  std::vector<std::int32_t> x(static_cast<std::size_t>(rows) * kRow);
  std::vector<std::uint32_t> psum(kChunk), cube(static_cast<std::size_t>(rows)), scratch;
  std::vector<std::uint32_t> acc(static_cast<std::size_t>(cols) * M);  // [col][m]
  auto psum_it = pattern.psums.begin();
  auto acc_it = pattern.accumulator.begin();

  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, col_ch);
    while (acc_it != pattern.accumulator.end() && acc_it->at.group < g) ++acc_it;
    bool live_all = false, live_images = false;
    if (!group_live(sel, col_ch, live_all, live_images)) continue;
    for (int b = 0; b < mapping.blocks(); ++b) {
      mapping.rows_to_channels(g, b, row_ch);
      for (int rs = 0; rs < RS; ++rs) {
        const int r = rs / s.s, kc = rs % s.s, step = b * RS + rs;
        load_weights(s, ops, faults, pm, row_ch, col_ch, r, kc, rows, cols, w_raw.data(), w_reg.data());
        for (long long m0 = 0, chunk = 0; m0 < M; m0 += kChunk, ++chunk) {
          if (!live_all && !(live_images && sel.chunk_images[static_cast<std::size_t>(chunk)])) continue;
          const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
          gather_rows(input, layout, segments, row_ch, chunk, r, kc, count, x.data());
          for (int col = 0; col < cols; ++col) {
            if (col_ch[col] < 0) continue;
            if (!sel.column(chunk, col)) continue;
            const std::size_t c0 = static_cast<std::size_t>(col) * rows;
            std::uint32_t* ps = psum.data();
            column_psums(pm, w_reg.data(), x.data(), c0, rows, count, ps);
            if (psum_stuck && !faults.psum(col).identity()) {
              const StuckMask& sm = faults.psum(col);
              for (int i = 0; i < count; ++i) ps[i] = sm.apply(ps[i]);
            }
            const ElementKey lo{g, step, m0, col};
            while (psum_it != pattern.psums.end() && psum_it->at < lo) ++psum_it;
            flip_psums(faults, psum_it, pattern.psums.end(), lo, count, rows, x.data(), &w_raw[c0], cube, scratch, ps);
            accumulate(pattern, acc_it, faults, a.stripe_length, acc_stuck, g, step, m0, col, count, ps,
                       &acc[static_cast<std::size_t>(col) * M + m0]);
          }
        }
        while (acc_it != pattern.accumulator.end() && acc_it->at.group == g && acc_it->at.step <= step) ++acc_it;
      }
    }
    write_out(s, sel, col_ch, acc.data(), M, ops.output_scale(), out);
  }
}

}  // namespace accsim
