#include "kernels/array_conv.h"

#include <algorithm>

#include "arch/pe_array.h"

namespace accsim {

namespace {

constexpr int kChunk = 64;  // output positions computed together (vector lanes)

struct Job {
  const ConvShape& s;
  const ArrayConfig& a;
  const PeFaults& faults;
  const Tensor& input;
};

// Input offset of output position m at kernel position (r, s) for channel 0, or -1 in
// the zero padding.
void pixel_offsets(const ConvShape& s, long long m0, int count, int r, int kr_s, long long* off) {
  const long long PQ = static_cast<long long>(s.p()) * s.q();
  for (int i = 0; i < count; ++i) {
    const long long m = m0 + i;
    const long long n = m / PQ, pq = m % PQ;
    const int ih = static_cast<int>(pq / s.q()) * s.stride + r - s.pad;
    const int iw = static_cast<int>(pq % s.q()) * s.stride + kr_s - s.pad;
    off[i] = (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) ? -1 : (n * s.c * s.h + ih) * s.w + iw;
  }
}

// The column sum of one atomic operation with transient flips, scalar, in the
// datapath's order (input register, multiplier, product flips, adder tree, psum).
float flipped_psum(const Job& j, const PsumFlips& f, const float* weights_col, const float* cube) {
  const int rows = j.a.atomic_c, col = f.at.col;
  std::vector<float> p(rows);
  for (int row = 0; row < rows; ++row) {
    std::uint32_t wx = 0, ix = 0, px = 0;
    for (const auto& x : f.weight) wx ^= x.row == row ? x.mask : 0;
    for (const auto& x : f.input) ix ^= x.row == row ? x.mask : 0;
    for (const auto& x : f.product) px ^= x.row == row ? x.mask : 0;
    const float w = j.faults.weight(row, col).apply(bits_float(float_bits(weights_col[row]) ^ wx));
    const float x = j.faults.input(row, col).apply(bits_float(float_bits(cube[row]) ^ ix));
    const StuckMask& pm = j.faults.product(row, col);
    p[row] = pm.apply(bits_float(float_bits(pm.apply(fp32_mul(w, x))) ^ px));
  }
  adder_tree(p.data(), rows, 1);
  const StuckMask& sm = j.faults.psum(col);
  return sm.apply(bits_float(float_bits(sm.apply(p[0])) ^ f.psum));
}

}  // namespace

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights) {
  const ConvShape& s = job.shape;
  const Job j{s, a, faults, input};
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q(), HW = static_cast<long long>(s.h) * s.w;
  Tensor out({s.n, s.k, s.p(), s.q()});
  const bool input_stuck = faults.any_stuck(FaultSite::input), product_stuck = faults.any_stuck(FaultSite::product);
  const bool psum_stuck = faults.any_stuck(FaultSite::psum), acc_stuck = faults.any_stuck(FaultSite::accumulator);

  std::vector<int> row_ch, col_ch;
  std::vector<float> w_raw(static_cast<std::size_t>(rows) * cols), w_reg(w_raw.size());  // [col][row]
  std::vector<float> x(static_cast<std::size_t>(rows) * kChunk), p(x.size()), cube(rows);
  std::vector<long long> off(kChunk);
  std::vector<float> acc(static_cast<std::size_t>(cols) * M);  // [col][m]
  auto psum_it = pattern.psums.begin();
  auto acc_it = pattern.accumulator.begin();

  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, col_ch);
    for (int b = 0; b < mapping.blocks(); ++b) {
      mapping.rows_to_channels(g, b, row_ch);
      for (int rs = 0; rs < RS; ++rs) {
        const int r = rs / s.s, kc = rs % s.s, step = b * RS + rs;
        const bool first = step == 0;
        // The weight registers of this step: [col][row], through their stuck-at masks.
        for (int col = 0; col < cols; ++col)
          for (int row = 0; row < rows; ++row) {
            const int ic = row_ch[row], oc = col_ch[col];
            const float w = (ic < 0 || oc < 0) ? 0.0f : weights[((static_cast<long long>(oc) * s.c + ic) * s.r + r) * s.s + kc];
            w_raw[col * rows + row] = w;
            w_reg[col * rows + row] = faults.weight(row, col).apply(w);
          }
        for (long long m0 = 0; m0 < M; m0 += kChunk) {
          const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
          pixel_offsets(s, m0, count, r, kc, off.data());
          // Broadcast operands: x[row][i] (idle rows and padding read 0).
          for (int row = 0; row < rows; ++row) {
            float* xr = &x[static_cast<std::size_t>(row) * kChunk];
            const int ic = row_ch[row];
            if (ic < 0) {
              std::fill(xr, xr + count, 0.0f);
              continue;
            }
            const float* plane = input.data() + ic * HW;
            for (int i = 0; i < count; ++i) xr[i] = off[i] < 0 ? 0.0f : plane[off[i]];
          }
          for (int col = 0; col < cols; ++col) {
            if (col_ch[col] < 0) continue;  // an idle column's sums never leave the array
            for (int row = 0; row < rows; ++row) {
              const float w = w_reg[col * rows + row];
              const float* xr = &x[static_cast<std::size_t>(row) * kChunk];
              float* pr = &p[static_cast<std::size_t>(row) * kChunk];
              if (input_stuck) {
                const StuckMask& im = faults.input(row, col);
                for (int i = 0; i < count; ++i) pr[i] = fp32_mul(w, im.apply(xr[i]));
              } else {
                for (int i = 0; i < count; ++i) pr[i] = fp32_mul(w, xr[i]);
              }
              if (product_stuck) {
                const StuckMask& pm = faults.product(row, col);
                for (int i = 0; i < count; ++i) pr[i] = pm.apply(pr[i]);
              }
            }
            adder_tree(p.data(), rows, kChunk);
            float* psum = p.data();
            if (psum_stuck) {
              const StuckMask& sm = faults.psum(col);
              for (int i = 0; i < count; ++i) psum[i] = sm.apply(psum[i]);
            }
            // Transient flips of this step: recompute those column sums exactly.
            const ElementKey lo{g, step, m0, col};
            while (psum_it != pattern.psums.end() && psum_it->at < lo) ++psum_it;
            for (auto it = psum_it; it != pattern.psums.end() && it->at.group == g && it->at.step == step &&
                                    it->at.pixel < m0 + count;
                 ++it) {
              if (it->at.col != col) continue;
              const int i = static_cast<int>(it->at.pixel - m0);
              for (int row = 0; row < rows; ++row) cube[row] = x[static_cast<std::size_t>(row) * kChunk + i];
              psum[i] = flipped_psum(j, *it, &w_raw[col * rows], cube.data());
            }
            float* e = &acc[static_cast<std::size_t>(col) * M + m0];
            for (auto it = acc_it; it != pattern.accumulator.end() && it->at.group == g && it->at.step <= step; ++it)
              if (it->at.step == step && it->at.col == col && it->at.pixel >= m0 && it->at.pixel < m0 + count) {
                const long long i = it->at.pixel - m0;
                const long long slot = it->at.pixel % a.stripe_length;
                e[i] = faults.accumulator(static_cast<int>(slot), col).apply(bits_float(float_bits(e[i]) ^ it->mask));
              }
            if (first) {
              std::copy(psum, psum + count, e);
            } else {
              for (int i = 0; i < count; ++i) e[i] = fp32_add(e[i], psum[i]);
            }
            if (acc_stuck)
              for (int i = 0; i < count; ++i) {
                const int slot = static_cast<int>((m0 + i) % a.stripe_length);
                e[i] = faults.accumulator(slot, col).apply(e[i]);
              }
          }
        }
        while (acc_it != pattern.accumulator.end() && acc_it->at.group == g && acc_it->at.step <= step) ++acc_it;
      }
    }
    for (int col = 0; col < cols; ++col) {
      const int oc = col_ch[col];
      if (oc < 0) continue;
      const float* e = &acc[static_cast<std::size_t>(col) * M];
      for (long long m = 0; m < M; ++m) out[(m / PQ * s.k + oc) * PQ + m % PQ] = e[m];
    }
  }
  return out;
}

}  // namespace accsim
