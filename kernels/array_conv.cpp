#include "kernels/array_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <map>
#include <stdexcept>
#include <string>

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

// Column sums of a ROWS-row column whose rows [USED, ROWS) are idle: operand +0, a
// finite, non-negative weight register (+0, or a value a stuck-at set) and no input or
// product faults on those rows, so their products are exactly +0. Those leaves are the constant
// +0 here: the compiler folds the all-idle subtrees (+0 + +0 = +0) and keeps every
// "x + +0" (it is not x for x = -0), so the sums are bit-identical to column_sums<ROWS>
// without the multiplications and additions of idle rows.
template <int ROWS, int USED>
void column_sums_used(const Column& c, int, const float* x, int count, float*, float* psum) {
  for (int v = 0; v < count; v += kLanes) {
    auto operand = [&](int row) { return _mm256_loadu_ps(x + static_cast<std::size_t>(row) * kChunk + v); };
    __m256 sum;
    if (c.masked) {  // input or product faults on used rows
      sum = tree<ROWS, 0>([&](int row) {
        if (row >= USED) return _mm256_setzero_ps();
        const __m256 p = _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), apply(c.im[row], operand(row)));
        return apply(c.pm[row], canonical(p));
      });
    } else {
      sum = tree<ROWS, 0>([&](int row) {
        if (row >= USED) return _mm256_setzero_ps();
        return _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), operand(row));
      });
    }
    _mm256_storeu_ps(psum + v, canonical(sum));
  }
}

// column_sums_used for an 8-row array with `used` leading rows, or nullptr.
ColumnSums column_sums_for_used(int rows, int used) {
  static const ColumnSums eight[] = {nullptr,
                                     column_sums_used<8, 1>,
                                     column_sums_used<8, 2>,
                                     column_sums_used<8, 3>,
                                     column_sums_used<8, 4>,
                                     column_sums_used<8, 5>,
                                     column_sums_used<8, 6>,
                                     column_sums_used<8, 7>};
  return rows == 8 && used > 0 && used < 8 ? eight[used] : nullptr;
}

// ---- Operand gather -------------------------------------------------------------------

// A run of chunk lanes [dst, dst + len) reading consecutive input offsets from src
// (channel 0), or the zero padding when src < 0.
struct Run {
  int dst, len;
  long long src;
};

// The runs of every (kernel position, chunk): runs[first[k] .. first[k + 1]) for
// k = rs * chunks + chunk.
struct Gather {
  std::vector<Run> runs;
  std::vector<std::size_t> first;
};

Gather gather_runs(const ConvShape& s, long long M) {
  Gather g;
  const int P = s.p(), Q = s.q();
  const long long PQ = static_cast<long long>(P) * Q, chunks = (M + kChunk - 1) / kChunk;
  g.first.reserve(static_cast<std::size_t>(s.r * s.s * chunks + 1));
  for (int rs = 0; rs < s.r * s.s; ++rs) {
    const int r = rs / s.s, kc = rs % s.s;
    for (long long chunk = 0; chunk < chunks; ++chunk) {
      g.first.push_back(g.runs.size());
      const long long m0 = chunk * kChunk;
      const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
      // Output position m0 + lane as (n, p, q), walked without divisions.
      int n = static_cast<int>(m0 / PQ), p = static_cast<int>((m0 % PQ) / Q), q = static_cast<int>(m0 % Q);
      const std::size_t chunk_first = g.runs.size();
      for (int lane = 0; lane < count; ++lane) {
        const int ih = p * s.stride + r - s.pad, iw = q * s.stride + kc - s.pad;
        const long long off = (ih < 0 || ih >= s.h || iw < 0 || iw >= s.w)
                                  ? -1
                                  : (static_cast<long long>(n) * s.c * s.h + ih) * s.w + iw;
        Run* last = g.runs.size() > chunk_first ? &g.runs.back() : nullptr;
        if (last && (off < 0 ? last->src < 0 : last->src >= 0 && last->src + last->len == off))
          ++last->len;
        else
          g.runs.push_back({lane, 1, off});
        if (++q == Q) {
          q = 0;
          if (++p == P) p = 0, ++n;
        }
      }
    }
  }
  g.first.push_back(g.runs.size());
  return g;
}

// gather_runs of a shape, built once per thread: campaigns run the same few job shapes
// over and over, often computing only a small part of each.
const Gather& cached_gather(const ConvShape& s, long long M) {
  using Key = std::array<int, 8>;
  thread_local std::map<Key, Gather> cache;
  const Key key{s.n, s.c, s.h, s.w, s.r, s.s, s.stride, s.pad};
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(key, gather_runs(s, M)).first->second;
}

// Which (chunk, column) pairs and output planes a call computes (docs: ConvRegion).
struct Selection {
  std::vector<char> col_all;     // [col]: every position
  std::vector<char> image_cols;  // [col]: positions of selected images
  std::vector<char> images;      // [n]
  std::vector<char> chunk_images;  // [chunk]: the chunk holds a position of a selected image
  std::vector<char> col_any;       // [col]: some chunk computes this column
  bool any_images = true;          // some image is selected
  bool column(long long chunk, int col) const {
    return col_all[col] || (chunk_images[static_cast<std::size_t>(chunk)] && image_cols[col]);
  }
  bool plane(int n, int col) const { return col_all[col] || (images[n] && image_cols[col]); }
};

Selection select(const ConvShape& s, const ArrayConfig& a, long long M, const ConvRegion* region) {
  const long long chunks = (M + kChunk - 1) / kChunk, PQ = static_cast<long long>(s.p()) * s.q();
  Selection sel;
  if (region == nullptr) {
    sel.col_all.assign(a.atomic_k, 1);
    sel.image_cols.assign(a.atomic_k, 1);
    sel.images.assign(s.n, 1);
    sel.chunk_images.assign(static_cast<std::size_t>(chunks), 1);
    sel.col_any.assign(a.atomic_k, 1);
    return sel;
  }
  auto sized = [](const std::vector<char>& v, std::size_t n, const char* what, char fallback) {
    if (!v.empty() && v.size() != n)
      throw std::invalid_argument(std::string("array_conv_region: ") + what + " has " + std::to_string(v.size()) +
                                  " entries, expected " + std::to_string(n));
    return v.empty() ? std::vector<char>(n, fallback) : v;
  };
  sel.col_all = sized(region->columns, a.atomic_k, "columns", 0);
  sel.image_cols = sized(region->image_columns, a.atomic_k, "image_columns", 1);
  sel.images = sized(region->images, static_cast<std::size_t>(s.n), "images", 0);
  sel.chunk_images.assign(static_cast<std::size_t>(chunks), 0);
  for (int n = 0; n < s.n; ++n)
    if (sel.images[n])
      for (long long c = n * PQ / kChunk; c <= ((n + 1) * PQ - 1) / kChunk; ++c) sel.chunk_images[c] = 1;
  sel.any_images = std::find(sel.images.begin(), sel.images.end(), 1) != sel.images.end();
  sel.col_any.resize(a.atomic_k);
  for (int col = 0; col < a.atomic_k; ++col) sel.col_any[col] = sel.col_all[col] || (sel.any_images && sel.image_cols[col]);
  return sel;
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

namespace {

void conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
          const ErrorPattern& pattern, const Tensor& input, const Tensor& weights, const ConvRegion* region,
          Tensor& out) {
  const ConvShape& s = job.shape;
  const Job j{s, a, faults, input};
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q(), HW = static_cast<long long>(s.h) * s.w;
  const long long chunks = (M + kChunk - 1) / kChunk;
  const bool psum_stuck = faults.any_stuck(FaultSite::psum);
  std::vector<std::vector<int>> acc_slots(static_cast<std::size_t>(cols));  // per column: its stuck entries
  if (faults.any_stuck(FaultSite::accumulator))
    for (int col = 0; col < cols; ++col)
      for (int slot = 0; slot < a.stripe_length; ++slot)
        if (!faults.accumulator(slot, col).identity()) acc_slots[static_cast<std::size_t>(col)].push_back(slot);
  const ColumnSums sums_of_column = column_sums_for(rows);
  const Selection sel = select(s, a, M, region);
  // A fully-connected job (1x1 kernel on a 1x1 input): output position m is image m, and
  // its operand of channel ic is input[m][ic]. Transposed once to [ic][m], each row's
  // operands of a chunk are one contiguous copy instead of one run per position.
  const bool fc = s.h == 1 && s.w == 1 && s.r == 1 && s.s == 1 && s.pad == 0;
  thread_local std::vector<float> transposed;
  if (fc) {
    transposed.resize(static_cast<std::size_t>(s.c) * M);
    for (long long m = 0; m < M; ++m)
      for (int ic = 0; ic < s.c; ++ic) transposed[ic * M + m] = input[static_cast<std::size_t>(m * s.c + ic)];
  }
  static const Gather kNoGather;
  const Gather& gather = fc ? kNoGather : cached_gather(s, M);

  // Input and product masks per PE: only columns with a non-identity one pay for them.
  std::vector<StuckMask> im(static_cast<std::size_t>(rows) * cols), pm(im.size());  // [col][row]
  std::vector<char> col_masked(cols, 0);
  for (int col = 0; col < cols; ++col)
    for (int row = 0; row < rows; ++row) {
      im[col * rows + row] = faults.input(row, col);
      pm[col * rows + row] = faults.product(row, col);
      if (!im[col * rows + row].identity() || !pm[col * rows + row].identity()) col_masked[col] = 1;
    }

  std::vector<int> row_ch, col_ch;
  std::vector<float> w_raw(static_cast<std::size_t>(rows) * cols), w_reg(w_raw.size());  // [col][row]
  std::vector<float> x(static_cast<std::size_t>(rows) * kChunk), p(x.size()), cube(rows), psum(kChunk);
  std::vector<char> x_zero(static_cast<std::size_t>(rows), 0);  // x[row] holds kChunk zeros
  // [col][m]; every entry a call reads was written at step 0 of its group, so the buffer
  // is reused across calls without clearing.
  thread_local std::vector<float> acc;
  if (acc.size() < static_cast<std::size_t>(cols) * M) acc.resize(static_cast<std::size_t>(cols) * M);
  auto psum_it = pattern.psums.begin();
  auto acc_it = pattern.accumulator.begin();

  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, col_ch);
    while (acc_it != pattern.accumulator.end() && acc_it->at.group < g) ++acc_it;
    // Chunks this group computes: none when every selected column is idle in it.
    bool live_all = false, live_images = false;
    for (int col = 0; col < cols; ++col)
      if (col_ch[col] >= 0) {
        live_all = live_all || sel.col_all[col];
        live_images = live_images || (sel.any_images && sel.image_cols[col]);
      }
    if (!live_all && !live_images) continue;
    for (int b = 0; b < mapping.blocks(); ++b) {
      mapping.rows_to_channels(g, b, row_ch);
      // Idle rows all after the used ones (no swizzle): columns whose idle PEs are
      // fault-free skip them (column_sums_used).
      int used = 0;
      while (used < rows && row_ch[used] >= 0) ++used;
      bool trailing_idle = used < rows;
      for (int row = used; row < rows; ++row) trailing_idle = trailing_idle && row_ch[row] < 0;
      const ColumnSums sums_of_used = trailing_idle ? column_sums_for_used(rows, used) : nullptr;
      for (int rs = 0; rs < RS; ++rs) {
        const int r = rs / s.s, kc = rs % s.s, step = b * RS + rs;
        const bool first = step == 0;
        // The weight registers of this step: [col][row], through their stuck-at masks.
        for (int col = 0; col < cols; ++col) {
          if (!sel.col_any[col]) continue;  // no chunk computes this column
          for (int row = 0; row < rows; ++row) {
            const int ic = row_ch[row], oc = col_ch[col];
            const float w = (ic < 0 || oc < 0) ? 0.0f : weights[((static_cast<long long>(oc) * s.c + ic) * s.r + r) * s.s + kc];
            w_raw[col * rows + row] = w;
            w_reg[col * rows + row] = faults.weight(row, col).apply(w);
          }
        }
        for (long long m0 = 0, chunk = 0; m0 < M; m0 += kChunk, ++chunk) {
          if (!live_all && !(live_images && sel.chunk_images[static_cast<std::size_t>(chunk)])) continue;
          const int count = static_cast<int>(std::min<long long>(kChunk, M - m0));
          const std::size_t k = static_cast<std::size_t>(rs * chunks + chunk);
          // Broadcast operands: x[row][i] (idle rows and padding read 0).
          for (int row = 0; row < rows; ++row) {
            float* xr = &x[static_cast<std::size_t>(row) * kChunk];
            const int ic = row_ch[row];
            if (ic < 0) {
              if (!x_zero[row]) std::fill(xr, xr + kChunk, 0.0f);
              x_zero[row] = 1;
              continue;
            }
            x_zero[row] = 0;
            if (fc) {
              std::copy(&transposed[ic * M + m0], &transposed[ic * M + m0] + count, xr);
              continue;
            }
            const float* plane = input.data() + ic * HW;
            for (std::size_t ri = gather.first[k]; ri < gather.first[k + 1]; ++ri) {
              const Run& run = gather.runs[ri];
              float* dst = xr + run.dst;
              int i = 0;
              if (run.src < 0) {
                for (; i + kLanes <= run.len; i += kLanes) _mm256_storeu_ps(dst + i, _mm256_setzero_ps());
                for (; i < run.len; ++i) dst[i] = 0.0f;
              } else {
                const float* src = plane + run.src;
                for (; i + kLanes <= run.len; i += kLanes) _mm256_storeu_ps(dst + i, _mm256_loadu_ps(src + i));
                for (; i < run.len; ++i) dst[i] = src[i];
              }
            }
          }
          for (int col = 0; col < cols; ++col) {
            if (col_ch[col] < 0) continue;  // an idle column's sums never leave the array
            if (!sel.column(chunk, col)) continue;
            const std::size_t c0 = static_cast<std::size_t>(col) * rows;
            // An idle row's product is weight x (+0): +0 exactly when the weight register
            // holds a finite value with the sign bit clear (a stuck-at may have set bits).
            bool idle_zero = sums_of_used != nullptr;
            for (int row = used; idle_zero && row < rows; ++row) {
              const std::uint32_t wb = float_bits(w_reg[c0 + row]);
              idle_zero = (wb & 0x80000000u) == 0 && (wb & 0x7f800000u) != 0x7f800000u && im[c0 + row].identity() &&
                          pm[c0 + row].identity();
            }
            (idle_zero ? sums_of_used : sums_of_column)({&w_reg[c0], &im[c0], &pm[c0], col_masked[col] != 0}, rows,
                                                        x.data(), count, p.data(), psum.data());
            if (psum_stuck && !faults.psum(col).identity()) {
              const StuckMask& sm = faults.psum(col);
              for (int i = 0; i < count; i += kLanes) _mm256_storeu_ps(&psum[i], apply(sm, _mm256_loadu_ps(&psum[i])));
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
              int i = 0;
              for (; i + kLanes <= count; i += kLanes)
                _mm256_storeu_ps(e + i, canonical(_mm256_add_ps(_mm256_loadu_ps(e + i), _mm256_loadu_ps(&psum[i]))));
              for (; i < count; ++i) e[i] = fp32_add(e[i], psum[i]);
            }
            // Stuck accumulator entries of this column: entry `slot` holds positions m with
            // m % stripe_length == slot.
            for (const int slot : acc_slots[static_cast<std::size_t>(col)]) {
              const StuckMask& am = faults.accumulator(slot, col);
              const long long L = a.stripe_length;
              for (long long i = ((slot - m0) % L + L) % L; i < count; i += L) e[i] = am.apply(e[i]);
            }
          }
        }
        while (acc_it != pattern.accumulator.end() && acc_it->at.group == g && acc_it->at.step <= step) ++acc_it;
      }
    }
    // Scatter [col][n][pq] to out[n][oc][pq], one image plane at a time.
    for (int col = 0; col < cols; ++col) {
      const int oc = col_ch[col];
      if (oc < 0) continue;
      const float* e = &acc[static_cast<std::size_t>(col) * M];
      for (int n = 0; n < s.n; ++n, e += PQ)
        if (sel.plane(n, col)) std::copy(e, e + PQ, out.data() + (static_cast<long long>(n) * s.k + oc) * PQ);
    }
  }
}

}  // namespace

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights) {
  const ConvShape& s = job.shape;
  Tensor out({s.n, s.k, s.p(), s.q()});
  conv(job, a, mapping, faults, pattern, input, weights, nullptr, out);
  return out;
}

void array_conv_region(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                       const ErrorPattern& pattern, const Tensor& input, const Tensor& weights,
                       const ConvRegion& region, Tensor& out) {
  const ConvShape& s = job.shape;
  if (out.shape() != std::vector<int>{s.n, s.k, s.p(), s.q()})
    throw std::invalid_argument("array_conv_region: output " + out.shape_string() + " does not match the job");
  conv(job, a, mapping, faults, pattern, input, weights, &region, out);
}

}  // namespace accsim
