#include "kernels/array_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <thread>

#include "arch/pe_array.h"

namespace accsim {

namespace {

constexpr int kChunk = 64;  // output positions computed together (vector lanes)
constexpr int kLanes = 8;   // floats per AVX register

struct Job {
  const ConvShape& s;
  const ArrayConfig& a;
  const PeFaults& faults;
  const Tensor& input;
};

// ---- Column sums ----------------------------------------------------------------------
//
// NaN canonicalisation is deferred to where bits become observable (the tree's output,
// a product before its stuck-at mask): whether an IEEE sum or product is NaN, and its
// value when it is not, never depend on the payload of a NaN operand, so canonicalising
// there gives the same bits as the datapath's canonicalising units at every step.

// One column of one atomic operation: its weight registers and per-PE stuck-at masks.
struct Column {
  const float* w;        // [row], through the weight masks
  const StuckMask* im;   // [row] input masks
  const StuckMask* pm;   // [row] product masks
  bool masked;           // some input or product mask of this column is not the identity
};

inline __m256 canonical(__m256 v) {
  const __m256 nan = _mm256_castsi256_ps(_mm256_set1_epi32(static_cast<int>(kCanonicalNaN)));
  return _mm256_blendv_ps(nan, v, _mm256_cmp_ps(v, v, _CMP_ORD_Q));
}

inline __m256 apply(const StuckMask& m, __m256 v) {
  const __m256i bits = _mm256_and_si256(_mm256_castps_si256(v), _mm256_set1_epi32(static_cast<int>(m.keep)));
  return _mm256_castsi256_ps(_mm256_or_si256(bits, _mm256_set1_epi32(static_cast<int>(m.force))));
}

constexpr int largest_pow2_below(int n) {
  int h = 1;
  while (h * 2 < n) h *= 2;
  return h;
}

// The adder tree over rows [B, B + N), kept in registers. adder_tree's level-by-level
// pairing (2i + 2i+1, an odd last element passing up) is the aligned binary tree
// clipped to N: split at the largest power of two below N, left + right.
template <int N, int B, class Leaf>
inline __m256 tree(const Leaf& leaf) {
  if constexpr (N == 1) {
    return leaf(B);
  } else {
    constexpr int H = largest_pow2_below(N);
    const __m256 l = tree<H, B>(leaf);
    const __m256 r = tree<N - H, B + H>(leaf);
    return _mm256_add_ps(l, r);
  }
}

// Column sums of `count` positions, x[row][i] -> psum[i], for a ROWS-row array. Lanes
// past `count` compute garbage that is never read.
template <int ROWS>
void column_sums(const Column& c, int, const float* x, int count, float*, float* psum) {
  for (int v = 0; v < count; v += kLanes) {
    auto operand = [&](int row) { return _mm256_loadu_ps(x + static_cast<std::size_t>(row) * kChunk + v); };
    __m256 sum;
    if (c.masked) {
      sum = tree<ROWS, 0>([&](int row) {
        const __m256 p = _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), apply(c.im[row], operand(row)));
        return apply(c.pm[row], canonical(p));
      });
    } else {
      sum = tree<ROWS, 0>([&](int row) { return _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), operand(row)); });
    }
    _mm256_storeu_ps(psum + v, canonical(sum));
  }
}

// Any other row count: products into p[row][i], then the array's adder_tree.
void column_sums_generic(const Column& c, int rows, const float* x, int count, float* p, float* psum) {
  for (int row = 0; row < rows; ++row) {
    const float* xr = x + static_cast<std::size_t>(row) * kChunk;
    float* pr = p + static_cast<std::size_t>(row) * kChunk;
    if (c.masked) {
      for (int i = 0; i < count; ++i) pr[i] = c.pm[row].apply(fp32_mul(c.w[row], c.im[row].apply(xr[i])));
    } else {
      for (int i = 0; i < count; ++i) pr[i] = fp32_mul(c.w[row], xr[i]);
    }
  }
  adder_tree(p, rows, kChunk);
  std::copy(p, p + count, psum);
}

using ColumnSums = void (*)(const Column&, int rows, const float* x, int count, float* p, float* psum);

ColumnSums column_sums_for(int rows) {
  switch (rows) {
    case 8: return column_sums<8>;
    case 16: return column_sums<16>;
    case 32: return column_sums<32>;
    case 64: return column_sums<64>;
    default: return column_sums_generic;
  }
}

// ---- Operand gather -------------------------------------------------------------------

// A run of chunk lanes [dst, dst + len) reading consecutive input offsets from src
// (channel 0), or the zero padding when src < 0.
struct Run {
  int dst, len;
  long long src;
};

// The runs of every (kernel position, chunk), computed once per job: runs[first[k] ..
// first[k + 1]) for k = rs * chunks + chunk.
struct Gather {
  std::vector<Run> runs;
  std::vector<std::size_t> first;
};

Gather gather_runs(const ConvShape& s, long long M) {
  Gather g;
  const int P = s.p(), Q = s.q();
  for (int rs = 0; rs < s.r * s.s; ++rs) {
    const int r = rs / s.s, kc = rs % s.s;
    int n = 0, p = 0, q = 0, lane = 0;  // output position m, walked without divisions
    for (long long m = 0; m < M; ++m) {
      if (lane == 0) g.first.push_back(g.runs.size());
      const int ih = p * s.stride + r - s.pad, iw = q * s.stride + kc - s.pad;
      const long long off =
          (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w) ? -1 : (static_cast<long long>(n) * s.c * s.h + ih) * s.w + iw;
      Run* last = g.runs.size() > g.first.back() ? &g.runs.back() : nullptr;
      if (last && (off < 0 ? last->src < 0 : last->src >= 0 && last->src + last->len == off))
        ++last->len;
      else
        g.runs.push_back({lane, 1, off});
      if (++lane == kChunk) lane = 0;
      if (++q == Q) {
        q = 0;
        if (++p == P) p = 0, ++n;
      }
    }
  }
  g.first.push_back(g.runs.size());
  return g;
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
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights, int threads) {
  const ConvShape& s = job.shape;
  const Job j{s, a, faults, input};
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q(), HW = static_cast<long long>(s.h) * s.w;
  const long long chunks = (M + kChunk - 1) / kChunk;
  Tensor out({s.n, s.k, s.p(), s.q()});
  const bool psum_stuck = faults.any_stuck(FaultSite::psum), acc_stuck = faults.any_stuck(FaultSite::accumulator);
  const ColumnSums sums_of_column = column_sums_for(rows);
  const Gather gather = gather_runs(s, M);

  // Input and product masks per PE: only columns with a non-identity one pay for them.
  std::vector<StuckMask> im(static_cast<std::size_t>(rows) * cols), pm(im.size());  // [col][row]
  std::vector<char> col_masked(cols, 0);
  for (int col = 0; col < cols; ++col)
    for (int row = 0; row < rows; ++row) {
      im[col * rows + row] = faults.input(row, col);
      pm[col * rows + row] = faults.product(row, col);
      if (!im[col * rows + row].identity() || !pm[col * rows + row].identity()) col_masked[col] = 1;
    }
  std::vector<std::vector<int>> group_cols(static_cast<std::size_t>(mapping.groups()));
  std::vector<std::vector<std::vector<int>>> group_rows(group_cols.size());
  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, group_cols[g]);
    group_rows[g].resize(static_cast<std::size_t>(mapping.blocks()));
    for (int b = 0; b < mapping.blocks(); ++b) mapping.rows_to_channels(g, b, group_rows[g][b]);
  }
  std::vector<float> acc(static_cast<std::size_t>(cols) * M);  // [col][m]

  // Output positions [chunk_begin, chunk_end) * kChunk for every group, block and step.
  // Positions never interact (each has its own accumulator entries and its own order of
  // additions), so any split over threads gives the same bits.
  auto work = [&](long long chunk_begin, long long chunk_end) {
    std::vector<float> w_raw(static_cast<std::size_t>(rows) * cols), w_reg(w_raw.size());  // [col][row]
    std::vector<float> x(static_cast<std::size_t>(rows) * kChunk), p(x.size()), cube(rows), psum(kChunk);
    auto psum_it = pattern.psums.begin();
    auto acc_it = pattern.accumulator.begin();
    const long long m_begin = chunk_begin * kChunk, m_end = std::min(M, chunk_end * kChunk);
    for (int g = 0; g < mapping.groups(); ++g) {
      const std::vector<int>& col_ch = group_cols[g];
      for (int b = 0; b < mapping.blocks(); ++b) {
        const std::vector<int>& row_ch = group_rows[g][b];
        for (int rs = 0; rs < RS; ++rs) {
          const int r = rs / s.s, kc = rs % s.s, step = b * RS + rs;
          const bool first = step == 0;
          // The weight registers of this step: [col][row], through their stuck-at masks.
          for (int col = 0; col < cols; ++col)
            for (int row = 0; row < rows; ++row) {
              const int ic = row_ch[row], oc = col_ch[col];
              const float w =
                  (ic < 0 || oc < 0) ? 0.0f : weights[((static_cast<long long>(oc) * s.c + ic) * s.r + r) * s.s + kc];
              w_raw[col * rows + row] = w;
              w_reg[col * rows + row] = faults.weight(row, col).apply(w);
            }
          for (long long chunk = chunk_begin, m0 = m_begin; m0 < m_end; m0 += kChunk, ++chunk) {
            const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
            const std::size_t k = static_cast<std::size_t>(rs * chunks + chunk);
            // Broadcast operands: x[row][i] (idle rows and padding read 0).
            for (int row = 0; row < rows; ++row) {
              float* xr = &x[static_cast<std::size_t>(row) * kChunk];
              const int ic = row_ch[row];
              if (ic < 0) {
                std::fill(xr, xr + count, 0.0f);
                continue;
              }
              const float* plane = input.data() + ic * HW;
              for (std::size_t ri = gather.first[k]; ri < gather.first[k + 1]; ++ri) {
                const Run& run = gather.runs[ri];
                if (run.src < 0)
                  std::fill(xr + run.dst, xr + run.dst + run.len, 0.0f);
                else
                  std::copy(plane + run.src, plane + run.src + run.len, xr + run.dst);
              }
            }
            for (int col = 0; col < cols; ++col) {
              if (col_ch[col] < 0) continue;  // an idle column's sums never leave the array
              const std::size_t c0 = static_cast<std::size_t>(col) * rows;
              sums_of_column({&w_reg[c0], &im[c0], &pm[c0], col_masked[col] != 0}, rows, x.data(), count, p.data(),
                             psum.data());
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
                psum[i] = flipped_psum(j, *it, &w_raw[c0], cube.data());
              }
              float* e = &acc[static_cast<std::size_t>(col) * M + m0];
              for (auto it = acc_it; it != pattern.accumulator.end() && it->at.group == g && it->at.step <= step; ++it)
                if (it->at.step == step && it->at.col == col && it->at.pixel >= m0 && it->at.pixel < m0 + count) {
                  const long long i = it->at.pixel - m0;
                  const long long slot = it->at.pixel % a.stripe_length;
                  e[i] = faults.accumulator(static_cast<int>(slot), col).apply(bits_float(float_bits(e[i]) ^ it->mask));
                }
              if (first) {
                std::copy(psum.data(), psum.data() + count, e);
              } else {
                for (int i = 0; i < count; ++i) e[i] = fp32_add(e[i], psum[i]);
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
      // Scatter this range of [col][m] to out[n][oc][pq].
      for (int col = 0; col < cols; ++col) {
        const int oc = col_ch[col];
        if (oc < 0) continue;
        const float* e = &acc[static_cast<std::size_t>(col) * M];
        for (long long m = m_begin; m < m_end;) {
          const long long n = m / PQ, pq = m % PQ, len = std::min(PQ - pq, m_end - m);
          std::copy(e + m, e + m + len, out.data() + (n * s.k + oc) * PQ + pq);
          m += len;
        }
      }
    }
  };

  // Threads only pay off on jobs of a few hundred thousand MACs and more.
  const int t = static_cast<int>(std::min<long long>(std::max(1, threads), chunks));
  if (t <= 1 || s.macs() < (1LL << 18)) {
    work(0, chunks);
    return out;
  }
  std::vector<std::thread> pool;
  for (int i = 1; i < t; ++i) pool.emplace_back(work, chunks * i / t, chunks * (i + 1) / t);
  work(0, chunks / t);
  for (auto& th : pool) th.join();
  return out;
}

}  // namespace accsim
