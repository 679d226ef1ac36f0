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
}  // namespace

void int8_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
               const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region, Tensor& out) {
  using D = Datapath<DataType::int8>;
  const ConvShape& s = job.shape;
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q();
  const bool psum_stuck = faults.any_stuck(FaultSite::psum), acc_stuck = faults.any_stuck(FaultSite::accumulator);
  const OperandLayout layout(s);
  const ChunkSegments& segments = cached_chunk_segments(s, layout);
  const Selection sel = select_region(s, a, region);
  const float out_scale = ops.output_scale();

  std::vector<std::int32_t> values(ops.input.size());
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = sign_extend(ops.input[i], 8);
  std::vector<std::int32_t> input(layout.size());
  const std::vector<char> images = sel.images_read(s);
  lay_out(s, layout, values.data(), &images, input.data());

  std::vector<StuckMask> im(static_cast<std::size_t>(rows) * cols), pm(im.size());  // [col][row]
  // Per PE, not per column: a stuck input or product on one PE leaves its column's other
  // rows on the vector loop (their masks are identities, which the plain product equals).
  std::vector<char> pe_masked(im.size(), 0);
  for (int col = 0; col < cols; ++col)
    for (int row = 0; row < rows; ++row) {
      im[col * rows + row] = faults.input(row, col);
      pm[col * rows + row] = faults.product(row, col);
      pe_masked[col * rows + row] = !im[col * rows + row].identity() || !pm[col * rows + row].identity();
    }

  // Columns with a weight stuck-at (from the fault list): only their registers pay for
  // the mask lookups, every step.
  std::vector<char> weight_stuck(static_cast<std::size_t>(cols), 0);
  for (const HardwareFault& f : faults.faults())
    if (f.permanent() && f.site == FaultSite::weight) weight_stuck[static_cast<std::size_t>(f.col)] = 1;

  std::vector<int> row_ch, col_ch;
  std::vector<std::uint32_t> w_raw(static_cast<std::size_t>(rows) * cols);  // [col][row] words
  std::vector<std::int32_t> w_reg(w_raw.size());                             // [col][row] values, through the masks
  std::vector<std::int32_t> x(static_cast<std::size_t>(rows) * kRow);
  std::vector<std::uint32_t> psum(kChunk), cube(rows), scratch;
  std::vector<std::uint32_t> acc(static_cast<std::size_t>(cols) * M);  // [col][m]
  auto psum_it = pattern.psums.begin();
  auto acc_it = pattern.accumulator.begin();

  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, col_ch);
    while (acc_it != pattern.accumulator.end() && acc_it->at.group < g) ++acc_it;
    bool live_all = false, live_images = false;
    for (int col = 0; col < cols; ++col)
      if (col_ch[col] >= 0) {
        live_all = live_all || sel.col_all[col];
        live_images = live_images || (sel.any_images && sel.image_cols[col]);
      }
    if (!live_all && !live_images) continue;
    for (int b = 0; b < mapping.blocks(); ++b) {
      mapping.rows_to_channels(g, b, row_ch);
      for (int rs = 0; rs < RS; ++rs) {
        const int r = rs / s.s, kc = rs % s.s, step = b * RS + rs;
        const bool first = step == 0;
        for (int col = 0; col < cols; ++col)
          for (int row = 0; row < rows; ++row) {
            const int ic = row_ch[row], oc = col_ch[col];
            const std::uint32_t w =
                (ic < 0 || oc < 0) ? 0u : ops.weights[((static_cast<long long>(oc) * s.c + ic) * s.r + r) * s.s + kc];
            w_raw[col * rows + row] = w;
            w_reg[col * rows + row] = sign_extend(weight_stuck[col] ? faults.weight(row, col).apply(w) : w, 8);
          }
        for (long long m0 = 0, chunk = 0; m0 < M; m0 += kChunk, ++chunk) {
          if (!live_all && !(live_images && sel.chunk_images[static_cast<std::size_t>(chunk)])) continue;
          const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
          for (int row = 0; row < rows; ++row) {
            std::int32_t* xr = &x[static_cast<std::size_t>(row) * kRow];
            const int ic = row_ch[row];
            if (ic < 0)
              std::fill(xr, xr + count, 0);
            else
              gather_row(input.data() + ic * layout.channel + layout.kernel_offset(r, kc), segments.begin(chunk),
                         segments.end(chunk), xr);
          }
          for (int col = 0; col < cols; ++col) {
            if (col_ch[col] < 0) continue;
            if (!sel.column(chunk, col)) continue;
            const std::size_t c0 = static_cast<std::size_t>(col) * rows;
            std::uint32_t* ps = psum.data();
            std::fill(ps, ps + count, 0u);
            for (int row = 0; row < rows; ++row) {
              const std::int32_t w = w_reg[c0 + row];
              const std::int32_t* xr = &x[static_cast<std::size_t>(row) * kRow];
              if (pe_masked[c0 + row]) {
                const StuckMask in = im[c0 + row], pr = pm[c0 + row];
                for (int i = 0; i < count; ++i) {
                  const std::int32_t xi = sign_extend(in.apply(static_cast<std::uint32_t>(xr[i])), 8);
                  ps[i] += static_cast<std::uint32_t>(sign_extend(pr.apply(static_cast<std::uint32_t>(w * xi)), 16));
                }
              } else {
                // |w|, |x| <= 128: the product fits the int16 word unchanged.
                for (int i = 0; i < count; ++i) ps[i] += static_cast<std::uint32_t>(w * xr[i]);
              }
            }
            if (psum_stuck && !faults.psum(col).identity()) {
              const StuckMask& sm = faults.psum(col);
              for (int i = 0; i < count; ++i) ps[i] = sm.apply(ps[i]);
            }
            const ElementKey lo{g, step, m0, col};
            while (psum_it != pattern.psums.end() && psum_it->at < lo) ++psum_it;
            for (auto it = psum_it; it != pattern.psums.end() && it->at.group == g && it->at.step == step &&
                                    it->at.pixel < m0 + count;
                 ++it) {
              if (it->at.col != col) continue;
              const int i = static_cast<int>(it->at.pixel - m0);
              for (int row = 0; row < rows; ++row)
                cube[row] = static_cast<std::uint32_t>(x[static_cast<std::size_t>(row) * kRow + i]) & 0xffu;
              ps[i] = flipped_psum<D>(faults, rows, *it, &w_raw[c0], cube.data(), scratch);
            }
            std::uint32_t* e = &acc[static_cast<std::size_t>(col) * M + m0];
            for (auto it = acc_it; it != pattern.accumulator.end() && it->at.group == g && it->at.step <= step; ++it)
              if (it->at.step == step && it->at.col == col && it->at.pixel >= m0 && it->at.pixel < m0 + count) {
                const long long i = it->at.pixel - m0;
                const long long slot = it->at.pixel % a.stripe_length;
                e[i] = faults.accumulator(static_cast<int>(slot), col).apply(e[i] ^ it->mask);
              }
            if (first) {
              std::copy(ps, ps + count, e);
            } else {
              for (int i = 0; i < count; ++i) e[i] += ps[i];
            }
            if (acc_stuck)
              for (int i = 0, slot = static_cast<int>(m0 % a.stripe_length); i < count; ++i) {
                e[i] = faults.accumulator(slot, col).apply(e[i]);
                if (++slot == a.stripe_length) slot = 0;
              }
          }
        }
        while (acc_it != pattern.accumulator.end() && acc_it->at.group == g && acc_it->at.step <= step) ++acc_it;
      }
    }
    for (int col = 0; col < cols; ++col) {
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
}

}  // namespace accsim
