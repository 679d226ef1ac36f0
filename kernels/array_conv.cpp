#include "kernels/array_conv.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

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

// Column sums of a ROWS-row column whose rows [USED, ROWS) are idle: operand +0, a
// finite, non-negative weight register (+0, or a value a stuck-at set) and no input or
// product faults on those rows, so their products are exactly +0. Those leaves are the
// constant +0 here: the compiler folds the all-idle subtrees (+0 + +0 = +0) and keeps
// every "x + +0" (it is not x for x = -0), so the sums are bit-identical to
// column_sums<T, ROWS> without the multiplications and additions of idle rows. Masked
// columns take the full masked path.
template <DataType T, int ROWS, int USED>
void column_sums_used(const Column& c, int, const float* x, const std::uint16_t* xw, int count, float*, float* psum) {
  if (c.masked) return masked_column_sums<T, ROWS>(c, x, xw, count, psum);
  for (int v = 0; v < count; v += kLanes) {
    const __m256 sum = tree<ROWS, 0>([&](int row) __attribute__((always_inline)) {
      if (row >= USED) return _mm256_setzero_ps();
      return _mm256_mul_ps(_mm256_broadcast_ss(c.w + row), _mm256_loadu_ps(x + static_cast<std::size_t>(row) * kChunk + v));
    });
    _mm256_storeu_ps(psum + v, canonical(sum));
  }
}

// column_sums_used for an 8-row array with `used` leading rows, or nullptr.
template <DataType T>
ColumnSums column_sums_for_used(int rows, int used) {
  static const ColumnSums eight[] = {nullptr,
                                     column_sums_used<T, 8, 1>,
                                     column_sums_used<T, 8, 2>,
                                     column_sums_used<T, 8, 3>,
                                     column_sums_used<T, 8, 4>,
                                     column_sums_used<T, 8, 5>,
                                     column_sums_used<T, 8, 6>,
                                     column_sums_used<T, 8, 7>};
  return rows == 8 && used > 0 && used < 8 ? eight[used] : nullptr;
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

// gather_runs of a shape, built once per calling thread: campaigns run the same few job
// shapes over and over, often computing only a small part of each. The reference stays
// valid until the same thread's next call (worker threads of a split only read it).
const Gather& cached_gather(const ConvShape& s, long long M) {
  using Key = std::array<int, 8>;
  thread_local std::map<Key, Gather> cache;
  const Key key{s.n, s.c, s.h, s.w, s.r, s.s, s.stride, s.pad};
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(key, gather_runs(s, M)).first->second;
}

// Which (chunk, column) pairs and output planes a call computes (ConvRegion).
struct Selection {
  std::vector<char> col_all;       // [col]: every position
  std::vector<char> image_cols;    // [col]: positions of selected images
  std::vector<char> images;        // [n]
  std::vector<char> chunk_images;  // [chunk]: the chunk holds a position of a selected image
  std::vector<char> col_any;       // [col]: some chunk computes this column
  bool any_images = true;          // some image is selected
  bool column(long long chunk, int col) const {
    return col_all[col] || (chunk_images[static_cast<std::size_t>(chunk)] && image_cols[col]);
  }
  bool plane(long long n, int col) const { return col_all[col] || (images[static_cast<std::size_t>(n)] && image_cols[col]); }
};

Selection select_region(const ConvShape& s, const ArrayConfig& a, long long M, const ConvRegion* region) {
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
  for (int col = 0; col < a.atomic_k; ++col)
    sel.col_any[col] = sel.col_all[col] || (sel.any_images && sel.image_cols[col]);
  return sel;
}

// Per column, its stuck accumulator entries (empty without accumulator stuck-ats).
std::vector<std::vector<int>> stuck_acc_slots(const ArrayConfig& a, const PeFaults& faults) {
  std::vector<std::vector<int>> slots(static_cast<std::size_t>(a.atomic_k));
  if (faults.any_stuck(FaultSite::accumulator))
    for (int col = 0; col < a.atomic_k; ++col)
      for (int slot = 0; slot < a.stripe_length; ++slot)
        if (!faults.accumulator(slot, col).identity()) slots[static_cast<std::size_t>(col)].push_back(slot);
  return slots;
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
// `region`: null for the whole output; otherwise only its planes are computed and
// written into `out` (every other element left as it was).
template <DataType T>
void float_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                const ErrorPattern& pattern, const float* input, const float* weights,
                const std::uint16_t* input_words, const std::uint16_t* weight_words, const ConvRegion* region,
                Tensor& out, int threads) {
  using D = Datapath<T>;
  const ConvShape& s = job.shape;
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q(), HW = static_cast<long long>(s.h) * s.w;
  const long long chunks = (M + kChunk - 1) / kChunk;
  const bool psum_stuck = faults.any_stuck(FaultSite::psum);
  const std::vector<std::vector<int>> acc_slots = stuck_acc_slots(a, faults);
  const ColumnSums sums_of_column = column_sums_for<T>(rows);
  const Selection sel = select_region(s, a, M, region);

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

  // A fully-connected job (1x1 kernel on a 1x1 input): output position m is image m, and
  // its operand of channel ic is input[m][ic]. Transposed once to [ic][m], each row's
  // operands of a chunk are one contiguous copy instead of one run per position. The
  // buffers belong to the calling thread; a split's workers only read them.
  const bool fc = s.h == 1 && s.w == 1 && s.r == 1 && s.s == 1 && s.pad == 0;
  thread_local std::vector<float> transposed_buf;
  thread_local std::vector<std::uint16_t> transposed_words_buf;
  const float* transposed = nullptr;
  const std::uint16_t* transposed_words = nullptr;
  if (fc) {
    transposed_buf.resize(static_cast<std::size_t>(s.c) * M);
    for (long long m = 0; m < M; ++m)
      for (int ic = 0; ic < s.c; ++ic) transposed_buf[ic * M + m] = input[m * s.c + ic];
    transposed = transposed_buf.data();
    if (need_words) {
      transposed_words_buf.resize(static_cast<std::size_t>(s.c) * M);
      for (long long m = 0; m < M; ++m)
        for (int ic = 0; ic < s.c; ++ic) transposed_words_buf[ic * M + m] = input_words[m * s.c + ic];
      transposed_words = transposed_words_buf.data();
    }
  }
  static const Gather kNoGather;
  const Gather* const gather = fc ? &kNoGather : &cached_gather(s, M);

  std::vector<std::vector<int>> group_cols(static_cast<std::size_t>(mapping.groups()));
  std::vector<std::vector<std::vector<int>>> group_rows(group_cols.size());
  for (int g = 0; g < mapping.groups(); ++g) {
    mapping.cols_to_channels(g, group_cols[g]);
    group_rows[g].resize(static_cast<std::size_t>(mapping.blocks()));
    for (int b = 0; b < mapping.blocks(); ++b) mapping.rows_to_channels(g, b, group_rows[g][b]);
  }
  // [col][m], shared by the split's threads (each writes its own positions). The calling
  // thread's buffer, reused across calls without clearing: every entry a call reads was
  // written at step 0 of its group. Workers get the pointer, never the thread_local.
  thread_local std::vector<float> acc_buf;
  if (acc_buf.size() < static_cast<std::size_t>(cols) * M) acc_buf.resize(static_cast<std::size_t>(cols) * M);
  float* const acc = acc_buf.data();

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
    if (region && !region->groups.empty() && !region->groups[static_cast<std::size_t>(g)]) continue;
    const std::vector<int>& col_ch = group_cols[g];
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
      const std::vector<int>& row_ch = group_rows[g][b];
      // Idle rows all after the used ones (no swizzle): columns whose idle PEs are
      // fault-free skip them (column_sums_used).
      int used = 0;
      while (used < rows && row_ch[used] >= 0) ++used;
      bool trailing_idle = used < rows;
      for (int row = used; row < rows; ++row) trailing_idle = trailing_idle && row_ch[row] < 0;
      const ColumnSums sums_of_used = trailing_idle ? column_sums_for_used<T>(rows, used) : nullptr;
      for (int rs = 0; rs < RS; ++rs) {
        const int r = rs / s.s, kc = rs % s.s, step = b * RS + rs;
        const bool first = step == 0;
        // The weight registers of this step: [col][row], through their stuck-at masks.
        for (int col = 0; col < cols; ++col) {
          if (!sel.col_any[col]) continue;  // no chunk computes this column
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
        }
        for (long long chunk = chunk_begin, m0 = m_begin; m0 < m_end; m0 += kChunk, ++chunk) {
          if (!live_all && !(live_images && sel.chunk_images[static_cast<std::size_t>(chunk)])) continue;
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
            if (fc) {
              const std::size_t from = static_cast<std::size_t>(ic * M + m0);
              std::copy(transposed + from, transposed + from + count, &x[base]);
              if (need_words) std::copy(transposed_words + from, transposed_words + from + count, &xw[base]);
              continue;
            }
            gather_row(&x[base], input + ic * HW, *gather, k);
            if (need_words) gather_row(&xw[base], input_words + ic * HW, *gather, k);
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
                                                        x.data(), xw.data(), count, p.data(), psum.data());
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
    // Scatter this range of [col][m] to out[n][oc][pq] (the region's planes only).
    for (int col = 0; col < cols; ++col) {
      const int oc = col_ch[col];
      if (oc < 0) continue;
      const float* e = &acc[static_cast<std::size_t>(col) * M];
      for (long long m = m_begin; m < m_end;) {
        const long long n = m / PQ, pq = m % PQ, len = std::min(PQ - pq, m_end - m);
        if (sel.plane(n, col)) std::copy(e + m, e + m + len, out.data() + (n * s.k + oc) * PQ + pq);
        m += len;
      }
    }
  }
  };

  // Threads only pay off on jobs of a few hundred thousand MACs and more.
  const int t = static_cast<int>(std::min<long long>(std::max(1, threads), chunks));
  if (t <= 1 || s.macs() < (1LL << 18)) {
    work(0, chunks);
    return;
  }
  std::vector<std::thread> pool;
  for (int i = 1; i < t; ++i) pool.emplace_back(work, chunks * i / t, chunks * (i + 1) / t);
  work(0, chunks / t);
  for (auto& th : pool) th.join();
}

// The int8 datapath: 8-bit register words (held sign-extended), int16 products, int32
// adder tree and accumulator wrapping on overflow. Integer addition is associative, so
// a column sum may add its rows in any order and still equal the adder tree's.
// `region` and `out` as in float_conv.
void int8_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
               const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region, Tensor& out) {
  using D = Datapath<DataType::int8>;
  const ConvShape& s = job.shape;
  const int rows = a.atomic_c, cols = a.atomic_k, RS = s.r * s.s;
  const long long M = s.pixels(), PQ = static_cast<long long>(s.p()) * s.q(), HW = static_cast<long long>(s.h) * s.w;
  const long long chunks = (M + kChunk - 1) / kChunk;
  const bool psum_stuck = faults.any_stuck(FaultSite::psum), acc_stuck = faults.any_stuck(FaultSite::accumulator);
  const Gather& gather = cached_gather(s, M);
  const Selection sel = select_region(s, a, M, region);
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
            w_reg[col * rows + row] = sign_extend(faults.weight(row, col).apply(w), 8);
          }
        for (long long m0 = 0, chunk = 0; m0 < M; m0 += kChunk, ++chunk) {
          if (!live_all && !(live_images && sel.chunk_images[static_cast<std::size_t>(chunk)])) continue;
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
            if (!sel.column(chunk, col)) continue;
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
        if (!sel.plane(n, col)) continue;
        float* o = out.data() + (static_cast<long long>(n) * s.k + oc) * PQ;
        for (long long i = 0; i < PQ; ++i) o[i] = output_value(DataType::int8, e[i], out_scale);
      }
    }
  }
}

// The datapath dispatch of every entry point: `out` must have the job's output shape.
void conv_into(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
               const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion* region, Tensor& out,
               int threads) {
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
      return float_conv<DataType::fp32>(job, a, mapping, faults, pattern, in.data(), w.data(), nullptr, nullptr,
                                        region, out, threads);
    }
    case DataType::bf16: {
      const std::vector<float> in = decode(ops.input), w = decode(ops.weights);
      return float_conv<DataType::bf16>(job, a, mapping, faults, pattern, in.data(), w.data(), nullptr, nullptr,
                                        region, out, threads);
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
                                        w_words.data(), region, out, threads);
    }
    case DataType::int8: return int8_conv(job, a, mapping, faults, pattern, ops, region, out);
  }
  throw std::logic_error("array_conv: unknown datatype");
}

void check_out(const ConvShape& s, const Tensor& out) {
  if (out.shape() != std::vector<int>{s.n, s.k, s.p(), s.q()})
    throw std::invalid_argument("array_conv_region: output " + out.shape_string() + " does not match the job");
}

}  // namespace

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const Tensor& input, const Tensor& weights, int threads) {
  const ConvShape& s = job.shape;
  Tensor out({s.n, s.k, s.p(), s.q()});
  if (a.datatype == DataType::fp32)  // the registers hold the tensors' own bits
    float_conv<DataType::fp32>(job, a, mapping, faults, pattern, input.data(), weights.data(), nullptr, nullptr,
                               nullptr, out, threads);
  else
    conv_into(job, a, mapping, faults, pattern, encode_operands(a.datatype, input, weights), nullptr, out, threads);
  return out;
}

Tensor array_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                  const ErrorPattern& pattern, const ArrayOperands& ops, int threads) {
  const ConvShape& s = job.shape;
  Tensor out({s.n, s.k, s.p(), s.q()});
  conv_into(job, a, mapping, faults, pattern, ops, nullptr, out, threads);
  return out;
}

void array_conv_region(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                       const ErrorPattern& pattern, const Tensor& input, const Tensor& weights,
                       const ConvRegion& region, Tensor& out, int threads) {
  check_out(job.shape, out);
  if (a.datatype == DataType::fp32)
    float_conv<DataType::fp32>(job, a, mapping, faults, pattern, input.data(), weights.data(), nullptr, nullptr,
                               &region, out, threads);
  else
    conv_into(job, a, mapping, faults, pattern, encode_operands(a.datatype, input, weights), &region, out, threads);
}

void array_conv_region(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                       const ErrorPattern& pattern, const ArrayOperands& ops, const ConvRegion& region, Tensor& out,
                       int threads) {
  check_out(job.shape, out);
  conv_into(job, a, mapping, faults, pattern, ops, &region, out, threads);
}

}  // namespace accsim
