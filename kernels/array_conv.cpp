#include "kernels/array_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <thread>
#include <cstring>
#include <stdexcept>

#include "arch/datapath.h"
#include "arch/pe_array.h"

namespace accsim {

namespace {

constexpr int kChunk = 64;  // output positions computed together (vector lanes)
constexpr int kLanes = 8;   // floats per AVX register

// ---- Column sums ----------------------------------------------------------------------
//
// NaN canonicalisation is deferred to where bits become observable (the tree's output,
// a product before its stuck-at mask): whether an IEEE sum or product is NaN, and its
// value when it is not, never depend on the payload of a NaN operand, so canonicalising
// there gives the same bits as the datapath's canonicalising units at every step.

// One column of one atomic operation: its weight registers and per-PE stuck-at masks.
// The kernel holds operands as the fp32 values their register words stand for (exact
// for fp16 and bf16). Input masks act on the words: for bf16 they are given on the
// fp32 view (the word is its top half, so a mask shifts by 16); for fp16 the masked
// paths read the words themselves (`xw`) and convert them with F16C.
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

// Eight fp16 input words through an input register's stuck-at mask, as fp32.
inline __m256 masked_fp16(const StuckMask& m, const std::uint16_t* words) {
  const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(words));
  const __m128i keep = _mm_set1_epi16(static_cast<short>(m.keep & 0xffffu));
  const __m128i force = _mm_set1_epi16(static_cast<short>(m.force & 0xffffu));
  return _mm256_cvtph_ps(_mm_or_si128(_mm_and_si128(w, keep), force));
}

// Column sums of `count` positions, x[row][i] -> psum[i], for a ROWS-row array. Lanes
// past `count` compute garbage that is never read. `xw`: fp16 only, the input words.
// The leaves are forced inline: the whole tree must stay in registers (with several
// formats instantiated, GCC's unit-growth limit would otherwise outline them).
// The masked form: every product through its PE's input and product masks. Kept apart
// from the unmasked loop, which then compiles to the bare multiply-add tree.
template <DataType T, int ROWS>
void masked_column_sums(const Column& c, const float* x, const std::uint16_t* xw, int count, float* psum) {
  for (int v = 0; v < count; v += kLanes) {
    __m256 sum;
    if constexpr (T == DataType::fp16) {
      sum = tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
        const __m256 in = masked_fp16(c.im[row], xw + static_cast<std::size_t>(row) * kChunk + v);
        const __m256 p = _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), in);
        return apply(c.pm[row], canonical(p));
      });
    } else {
      sum = tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
        const __m256 in = _mm256_loadu_ps(x + static_cast<std::size_t>(row) * kChunk + v);
        const __m256 p = _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), apply(c.im[row], in));
        return apply(c.pm[row], canonical(p));
      });
    }
    _mm256_storeu_ps(psum + v, canonical(sum));
  }
}

template <DataType T, int ROWS>
void column_sums(const Column& c, int, const float* x, const std::uint16_t* xw, int count, float*, float* psum) {
  if (c.masked) return masked_column_sums<T, ROWS>(c, x, xw, count, psum);
  for (int v = 0; v < count; v += kLanes) {
    const __m256 sum = tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
      return _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), _mm256_loadu_ps(x + static_cast<std::size_t>(row) * kChunk + v));
    });
    _mm256_storeu_ps(psum + v, canonical(sum));
  }
}

// Any other row count: products into p[row][i], then the array's adder_tree.
template <DataType T>
void column_sums_generic(const Column& c, int rows, const float* x, const std::uint16_t* xw, int count, float* p,
                         float* psum) {
  for (int row = 0; row < rows; ++row) {
    const float* xr = x + static_cast<std::size_t>(row) * kChunk;
    float* pr = p + static_cast<std::size_t>(row) * kChunk;
    if (c.masked) {
      if constexpr (T == DataType::fp16) {
        const std::uint16_t* wr = xw + static_cast<std::size_t>(row) * kChunk;
        for (int i = 0; i < count; ++i)
          pr[i] = c.pm[row].apply(fp32_mul(c.w[row], fp16_to_fp32(static_cast<std::uint16_t>(c.im[row].apply(std::uint32_t{wr[i]})))));
      } else {
        for (int i = 0; i < count; ++i) pr[i] = c.pm[row].apply(fp32_mul(c.w[row], c.im[row].apply(xr[i])));
      }
    } else {
      for (int i = 0; i < count; ++i) pr[i] = fp32_mul(c.w[row], xr[i]);
    }
  }
  adder_tree(p, rows, kChunk);
  std::copy(p, p + count, psum);
}

using ColumnSums = void (*)(const Column&, int rows, const float* x, const std::uint16_t* xw, int count, float* p,
                            float* psum);

template <DataType T>
ColumnSums column_sums_for(int rows) {
  switch (rows) {
    case 8: return column_sums<T, 8>;
    case 16: return column_sums<T, 16>;
    case 32: return column_sums<T, 32>;
    case 64: return column_sums<T, 64>;
    default: return column_sums_generic<T>;
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

// The column sum of one atomic operation with transient flips, scalar, on register
// words in the datapath's order (input register, multiplier, product flips, adder
// tree, psum), exactly as PeArray computes it. `w_words`: the column's weight words
// before their stuck-at masks; `x_words`: the broadcast input words; `p`: scratch.
template <class D>
std::uint32_t flipped_psum(const PeFaults& faults, int rows, const PsumFlips& f, const std::uint32_t* w_words,
                           const std::uint32_t* x_words, std::vector<std::uint32_t>& p) {
  const int col = f.at.col;
  p.resize(static_cast<std::size_t>(rows));
  for (int row = 0; row < rows; ++row) {
    std::uint32_t wx = 0, ix = 0, px = 0;
    for (const auto& x : f.weight) wx ^= x.row == row ? x.mask : 0;
    for (const auto& x : f.input) ix ^= x.row == row ? x.mask : 0;
    for (const auto& x : f.product) px ^= x.row == row ? x.mask : 0;
    const std::uint32_t w = faults.weight(row, col).apply(w_words[row] ^ wx);
    const std::uint32_t x = faults.input(row, col).apply(x_words[row] ^ ix);
    const StuckMask& pm = faults.product(row, col);
    p[row] = D::tree_input(pm.apply(pm.apply(D::multiply(w, x)) ^ px));
  }
  adder_tree(p.data(), rows, 1, [](std::uint32_t a, std::uint32_t b) { return D::add(a, b); });
  const StuckMask& sm = faults.psum(col);
  return sm.apply(sm.apply(p[0]) ^ f.psum);
}

// Fills the chunk lanes of one row from an operand plane through the gather runs
// (padding reads 0).
template <class V>
__attribute__((always_inline)) inline void gather_row(V* dst, const V* plane, const Gather& gather, std::size_t k) {
  for (std::size_t ri = gather.first[k]; ri < gather.first[k + 1]; ++ri) {
    const Run& run = gather.runs[ri];
    if (run.src < 0)
      std::fill(dst + run.dst, dst + run.dst + run.len, V{0});
    else
      std::copy(plane + run.src, plane + run.src + run.len, dst + run.dst);
  }
}

// The floating-point datapaths (fp32, fp16, bf16): operands are the fp32 values of
// their register words; products, sums and accumulator in fp32. `input_words` and
// `weight_words`: fp16 only, the words themselves (the masked paths read them).
template <DataType T>
Tensor float_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const float* input, const float* weights,
                  const std::uint16_t* input_words, const std::uint16_t* weight_words, int threads) {
  using D = Datapath<T>;
  const ConvShape& s = job.shape;
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q(), HW = static_cast<long long>(s.h) * s.w;
  const long long chunks = (M + kChunk - 1) / kChunk;
  Tensor out({s.n, s.k, s.p(), s.q()});
  const bool psum_stuck = faults.any_stuck(FaultSite::psum), acc_stuck = faults.any_stuck(FaultSite::accumulator);
  const ColumnSums sums_of_column = column_sums_for<T>(rows);
  const Gather gather = gather_runs(s, M);

  // The register word of an operand value (fp16: read from the words).
  auto word_of = [](float v) -> std::uint32_t {
    if constexpr (T == DataType::bf16) return float_bits(v) >> 16;
    else return float_bits(v);
  };

  // Input and product masks per PE: only columns with a non-identity one pay for them.
  std::vector<StuckMask> im(static_cast<std::size_t>(rows) * cols), pm(im.size());  // [col][row]
  std::vector<char> col_masked(cols, 0);
  bool any_masked = false;
  for (int col = 0; col < cols; ++col)
    for (int row = 0; row < rows; ++row) {
      StuckMask in = faults.input(row, col);
      if constexpr (T == DataType::bf16) in = {(in.keep << 16) | 0xffffu, in.force << 16};  // on the fp32 view
      im[col * rows + row] = in;
      pm[col * rows + row] = faults.product(row, col);
      if (!im[col * rows + row].identity() || !pm[col * rows + row].identity()) col_masked[col] = 1, any_masked = true;
    }
  // fp16: the masked paths and transient flips read the input words.
  const bool need_words = T == DataType::fp16 && (any_masked || !pattern.psums.empty());

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
  std::vector<std::uint32_t> w_raw(static_cast<std::size_t>(rows) * cols);  // [col][row] words, before the masks
  std::vector<float> w_reg(w_raw.size());                                    // [col][row] through the masks
  std::vector<float> x(static_cast<std::size_t>(rows) * kChunk), p(x.size()), psum(kChunk);
  std::vector<std::uint16_t> xw(need_words ? x.size() : 0);
  std::vector<std::uint32_t> cube(rows), scratch;
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
            std::uint32_t w = 0;
            if (ic >= 0 && oc >= 0) {
              const long long i = ((static_cast<long long>(oc) * s.c + ic) * s.r + r) * s.s + kc;
              if constexpr (T == DataType::fp16) w = weight_words[i];
              else w = word_of(weights[i]);
            }
            w_raw[col * rows + row] = w;
            w_reg[col * rows + row] = register_float(T, faults.weight(row, col).apply(w));
          }
        for (long long chunk = chunk_begin, m0 = m_begin; m0 < m_end; m0 += kChunk, ++chunk) {
          const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
          const std::size_t k = static_cast<std::size_t>(rs * chunks + chunk);
          // Broadcast operands: x[row][i] (idle rows and padding read 0).
          for (int row = 0; row < rows; ++row) {
            const std::size_t base = static_cast<std::size_t>(row) * kChunk;
            const int ic = row_ch[row];
            if (ic < 0) {
              std::fill(&x[base], &x[base] + count, 0.0f);
              if (need_words) std::fill(&xw[base], &xw[base] + count, std::uint16_t{0});
              continue;
            }
            gather_row(&x[base], input + ic * HW, gather, k);
            if (need_words) gather_row(&xw[base], input_words + ic * HW, gather, k);
          }
          for (int col = 0; col < cols; ++col) {
            if (col_ch[col] < 0) continue;  // an idle column's sums never leave the array
            const std::size_t c0 = static_cast<std::size_t>(col) * rows;
            sums_of_column({&w_reg[c0], &im[c0], &pm[c0], col_masked[col] != 0}, rows, x.data(), xw.data(), count,
                           p.data(), psum.data());
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
              for (int row = 0; row < rows; ++row) {
                const std::size_t at = static_cast<std::size_t>(row) * kChunk + i;
                if constexpr (T == DataType::fp16) cube[row] = xw[at];
                else cube[row] = word_of(x[at]);
              }
              psum[i] = bits_float(flipped_psum<D>(faults, rows, *it, &w_raw[c0], cube.data(), scratch));
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

// The int8 datapath: 8-bit register words (held sign-extended), int16 products, int32
// adder tree and accumulator wrapping on overflow. Integer addition is associative, so
// a column sum may add its rows in any order and still equal the adder tree's.
Tensor int8_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                 const ErrorPattern& pattern, const ArrayOperands& ops) {
  using D = Datapath<DataType::int8>;
  const ConvShape& s = job.shape;
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q(), HW = static_cast<long long>(s.h) * s.w;
  const long long chunks = (M + kChunk - 1) / kChunk;
  Tensor out({s.n, s.k, s.p(), s.q()});
  const bool psum_stuck = faults.any_stuck(FaultSite::psum), acc_stuck = faults.any_stuck(FaultSite::accumulator);
  const Gather gather = gather_runs(s, M);
  const float out_scale = ops.output_scale();

  std::vector<std::int32_t> input(ops.input.size());
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = sign_extend(ops.input[i], 8);

  std::vector<StuckMask> im(static_cast<std::size_t>(rows) * cols), pm(im.size());  // [col][row]
  std::vector<char> col_masked(cols, 0);
  for (int col = 0; col < cols; ++col)
    for (int row = 0; row < rows; ++row) {
      im[col * rows + row] = faults.input(row, col);
      pm[col * rows + row] = faults.product(row, col);
      if (!im[col * rows + row].identity() || !pm[col * rows + row].identity()) col_masked[col] = 1;
    }

  std::vector<int> row_ch, col_ch;
  std::vector<std::uint32_t> w_raw(static_cast<std::size_t>(rows) * cols);  // [col][row] words
  std::vector<std::int32_t> w_reg(w_raw.size());                             // [col][row] values, through the masks
  std::vector<std::int32_t> x(static_cast<std::size_t>(rows) * kChunk);
  std::vector<std::uint32_t> psum(kChunk), cube(rows), scratch;
  std::vector<std::uint32_t> acc(static_cast<std::size_t>(cols) * M);  // [col][m]
  auto psum_it = pattern.psums.begin();
  auto acc_it = pattern.accumulator.begin();

  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, col_ch);
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
            w_reg[col * rows + row] = sign_extend(faults.weight(row, col).apply(w), 8);
          }
        for (long long m0 = 0, chunk = 0; m0 < M; m0 += kChunk, ++chunk) {
          const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
          const std::size_t k = static_cast<std::size_t>(rs * chunks + chunk);
          for (int row = 0; row < rows; ++row) {
            std::int32_t* xr = &x[static_cast<std::size_t>(row) * kChunk];
            const int ic = row_ch[row];
            if (ic < 0)
              std::fill(xr, xr + count, 0);
            else
              gather_row(xr, input.data() + ic * HW, gather, k);
          }
          for (int col = 0; col < cols; ++col) {
            if (col_ch[col] < 0) continue;
            const std::size_t c0 = static_cast<std::size_t>(col) * rows;
            std::uint32_t* ps = psum.data();
            std::fill(ps, ps + count, 0u);
            for (int row = 0; row < rows; ++row) {
              const std::int32_t w = w_reg[c0 + row];
              const std::int32_t* xr = &x[static_cast<std::size_t>(row) * kChunk];
              if (col_masked[col]) {
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
            if (psum_stuck) {
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
                cube[row] = static_cast<std::uint32_t>(x[static_cast<std::size_t>(row) * kChunk + i]) & 0xffu;
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
        float* o = out.data() + (static_cast<long long>(n) * s.k + oc) * PQ;
        for (long long i = 0; i < PQ; ++i) o[i] = output_value(DataType::int8, e[i], out_scale);
      }
    }
  }
  return out;
}

}  // namespace

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights, int threads) {
  if (a.datatype == DataType::fp32)  // the registers hold the tensors' own bits
    return float_conv<DataType::fp32>(job, a, mapping, faults, pattern, input.data(), weights.data(), nullptr, nullptr, threads);
  return array_conv(job, a, mapping, faults, pattern, encode_operands(a.datatype, input, weights), threads);
}

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const ArrayOperands& ops, int threads) {
  if (ops.datatype != a.datatype)
    throw std::invalid_argument(job.layer + ": operands in " + to_string(ops.datatype) + " on a " +
                                to_string(a.datatype) + " array");
  auto decode = [&](const std::vector<std::uint32_t>& words) {
    std::vector<float> v(words.size());
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = register_float(a.datatype, words[i]);
    return v;
  };
  switch (a.datatype) {
    case DataType::fp32: {
      const std::vector<float> in = decode(ops.input), w = decode(ops.weights);
      return float_conv<DataType::fp32>(job, a, mapping, faults, pattern, in.data(), w.data(), nullptr, nullptr, threads);
    }
    case DataType::bf16: {
      const std::vector<float> in = decode(ops.input), w = decode(ops.weights);
      return float_conv<DataType::bf16>(job, a, mapping, faults, pattern, in.data(), w.data(), nullptr, nullptr, threads);
    }
    case DataType::fp16: {
      const std::vector<std::uint16_t> in_words(ops.input.begin(), ops.input.end());
      const std::vector<std::uint16_t> w_words(ops.weights.begin(), ops.weights.end());
      // Exact F16C decoding (a NaN may come out quieted: NaN operands only make NaN products).
      std::vector<float> in(in_words.size());
      std::size_t i = 0;
      for (; i + 8 <= in.size(); i += 8)
        _mm256_storeu_ps(&in[i], _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(&in_words[i]))));
      for (; i < in.size(); ++i) in[i] = fp16_to_fp32(in_words[i]);
      return float_conv<DataType::fp16>(job, a, mapping, faults, pattern, in.data(), nullptr, in_words.data(),
                                        w_words.data(), threads);
    }
    case DataType::int8: return int8_conv(job, a, mapping, faults, pattern, ops);
  }
  throw std::logic_error("array_conv: unknown datatype");
}

}  // namespace accsim
