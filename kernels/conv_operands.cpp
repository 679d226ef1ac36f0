#include "kernels/conv_operands.h"

#include <algorithm>
#include <array>
#include <map>
#include <type_traits>

#include "kernels/transpose8.h"

namespace accsim {

OperandLayout::OperandLayout(const ConvShape& s)
    : stride(s.stride),
      phases_h(std::min(s.stride, s.r)),
      phases_w(std::min(s.stride, s.s)),
      hs((s.h + 2 * s.pad + s.stride - 1) / s.stride),
      ws((s.w + 2 * s.pad + s.stride - 1) / s.stride),
      by_image(!(s.h == 1 && s.w == 1 && s.pad == 0)) {
  const long long plane = static_cast<long long>(hs) * ws, phases = static_cast<long long>(phases_h) * phases_w;
  if (by_image) {
    phase = plane, channel = phases * plane, image = s.c * channel;
    total = s.n * image;
  } else {
    image = plane, phase = s.n * plane, channel = phases * phase;
    total = s.c * channel;
  }
}

namespace {

// Lanes [0, n) of a vector (none for n <= 0, all for n >= 8).
inline __m256i lanes_below(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// A run of n elements by vectors of 8: whole(j) writes elements [j, j + 8); a run of at
// least a vector ends with a whole vector over the one before (masked stores are slow on
// AMD), a shorter one is short_run(n)'s masked store.
template <class Whole, class Short>
inline void by_vectors(int n, const Whole& whole, const Short& short_run) {
  if (n < 8) {
    if (n > 0) short_run(n);
    return;
  }
  int j = 0;
  for (; j + 8 <= n; j += 8) whole(j);
  if (j < n) whole(n - 8);
}

// n elements from `from` to `to`, a vector at a time (float), never past either end.
inline void copy_run(const float* from, int n, float* to) {
  by_vectors(
      n, [&](int j) { _mm256_storeu_ps(to + j, _mm256_loadu_ps(from + j)); },
      [&](int k) { _mm256_maskstore_ps(to, lanes_below(k), _mm256_maskload_ps(from, lanes_below(k))); });
}
template <class V>
inline void copy_run(const V* from, int n, V* to) {
  std::copy(from, from + n, to);
}

// Phase column b of a padded row: elements [first, last) read input columns from,
// from + stride, ...; the others are padding.
struct PhaseColumns {
  int first, last, from;
};

// The phase columns of a shape, kept inline for up to four phases (a depthwise layer
// lays out an image per job: no allocation each time).
struct PhaseColumnSet {
  PhaseColumns small[4];
  std::vector<PhaseColumns> large;
  const PhaseColumns* cols = small;
  PhaseColumnSet(const ConvShape& s, const OperandLayout& L) {
    PhaseColumns* to = small;
    if (L.phases_w > 4) large.resize(static_cast<std::size_t>(L.phases_w)), to = large.data(), cols = to;
    for (int b = 0; b < L.phases_w; ++b) {
      const int first = std::max(0, (s.pad - b + L.stride - 1) / L.stride);
      const int reach = s.w - 1 + s.pad - b;  // the last input column's padded offset in this phase
      const int last = std::max(first, reach < 0 ? 0 : std::min(L.ws, reach / L.stride + 1));  // one past
      to[b] = {first, last, b + first * L.stride - s.pad};
    }
  }
  PhaseColumnSet(const PhaseColumnSet&) = delete;
  PhaseColumnSet& operator=(const PhaseColumnSet&) = delete;
};

// n floats of +0, a vector at a time, never past to + n.
inline void zero_run(float* to, int n) {
  const __m256 zero = _mm256_setzero_ps();
  by_vectors(
      n, [&](int j) { _mm256_storeu_ps(to + j, zero); }, [&](int k) { _mm256_maskstore_ps(to, lanes_below(k), zero); });
}

// Stride 2: the even elements from[0], from[2], ..., from[14] (shuffle + permute: bits
// moved, never computed on); `avail` elements are readable from `from` (masked loads past them).
inline __m256 even_vector(const float* from, int avail) {
  __m256 lo, hi;
  if (avail >= 16) {
    lo = _mm256_loadu_ps(from), hi = _mm256_loadu_ps(from + 8);
  } else {
    lo = _mm256_maskload_ps(from, lanes_below(avail));
    hi = _mm256_maskload_ps(from + 8, lanes_below(avail - 8));
  }
  const __m256 pairs = _mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(pairs), _MM_SHUFFLE(3, 1, 2, 0)));
}

// The even elements from[0], from[2], ... (count of them), eight at a time, never past to + count.
inline void even_elements(const float* from, int avail, int count, float* to) {
  by_vectors(
      count, [&](int j) { _mm256_storeu_ps(to + j, even_vector(from + 2 * j, avail - 2 * j)); },
      [&](int k) { _mm256_maskstore_ps(to, lanes_below(k), even_vector(from, avail)); });
}

// One phase row from input row `src` (`width` elements).
template <class V>
void phase_row(const OperandLayout& L, const PhaseColumns& c, const V* src, int width, V* row) {
  const V* from = src + c.from;
  if constexpr (std::is_same_v<V, float>) {  // vector stores: a padded row holds a few dozen floats
    if (L.stride <= 2) {
      zero_run(row, c.first);
      if (L.stride == 1)
        copy_run(from, c.last - c.first, row + c.first);
      else
        even_elements(from, width - c.from, c.last - c.first, row + c.first);
      zero_run(row + c.last, L.ws - c.last);
      return;
    }
  }
  for (int j = 0; j < c.first; ++j) row[j] = V{0};
  if (L.stride == 1) {
    copy_run(from, c.last - c.first, row + c.first);
  } else {
    for (int j = c.first; j < c.last; ++j, from += L.stride) row[j] = *from;
  }
  for (int j = c.last; j < L.ws; ++j) row[j] = V{0};
}

// A row of padding.
template <class V>
void zero_row(int ws, V* row) {
  if constexpr (std::is_same_v<V, float>) zero_run(row, ws);
  else std::fill(row, row + ws, V{0});
}

// A row's data of fewer than 8 elements as a vector, lanes [count, 8) +0.
inline __m256 short_run(const OperandLayout& L, const float* from, int avail, int count) {
  if (L.stride == 1) return _mm256_maskload_ps(from, lanes_below(count));
  return _mm256_and_ps(even_vector(from, avail), _mm256_castsi256_ps(lanes_below(count)));
}

// v's lanes moved up by `by` (0..7), +0 below.
inline __m256 lanes_up(__m256 v, int by) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 moved = _mm256_permutevar8x32_ps(v, _mm256_sub_epi32(iota, _mm256_set1_epi32(by)));
  return _mm256_andnot_ps(_mm256_castsi256_ps(lanes_below(by)), moved);
}

// A padded row of at least a vector (ws >= 8) by whole-vector stores only (masked stores
// are slow on AMD): the padding's first and last vectors, then the data over them (a
// short run as a vector that carries its padding with it).
inline void whole_vector_row(const OperandLayout& L, const PhaseColumns& c, const float* from, int avail, float* row) {
  const int count = c.last - c.first;
  _mm256_storeu_ps(row, _mm256_setzero_ps());
  _mm256_storeu_ps(row + L.ws - 8, _mm256_setzero_ps());
  if (count >= 8) {
    if (L.stride == 1)
      copy_run(from, count, row + c.first);
    else
      even_elements(from, avail, count, row + c.first);
    return;
  }
  const int place = std::min(c.first, L.ws - 8);
  _mm256_storeu_ps(row + place, lanes_up(short_run(L, from, avail, count), c.first - place));
}

// Phase plane (a, c) of one float channel, stride 1 or 2 and pads of at most 8 columns:
// one loop over its rows, the padding masks made once.
void float_phase_plane(const ConvShape& s, const OperandLayout& L, const PhaseColumns& c, const float* plane, int a,
                       float* row) {
  const int count = c.last - c.first, tail = L.ws - c.last;
  const __m256i head_mask = lanes_below(c.first), tail_mask = lanes_below(tail);
  const __m256 zero = _mm256_setzero_ps();
  for (int i = 0, y = a - s.pad; i < L.hs; ++i, y += L.stride, row += L.ws) {
    if (y < 0 || y >= s.h) {
      zero_run(row, L.ws);
      continue;
    }
    const float* from = plane + static_cast<long long>(y) * s.w + c.from;
    if (L.ws >= 8) {
      whole_vector_row(L, c, from, s.w - c.from, row);
      continue;
    }
    _mm256_maskstore_ps(row, head_mask, zero);
    if (L.stride == 1)
      copy_run(from, count, row + c.first);
    else
      even_elements(from, s.w - c.from, count, row + c.first);
    _mm256_maskstore_ps(row + c.last, tail_mask, zero);
  }
}

// Channel ic of image n into the image's layout at `image`, phase plane by phase plane,
// row by row (the planes of an image are small: its input rows stay in cache between
// the phases that read them).
template <class V>
void lay_out_channel(const ConvShape& s, const OperandLayout& L, const PhaseColumns* cols,
                     const V* input, int n, int ic, V* image) {
  const V* plane = input + (static_cast<long long>(n) * s.c + ic) * s.h * s.w;
  V* base = image + ic * L.channel;
  for (int a = 0; a < L.phases_h; ++a)
    for (int b = 0; b < L.phases_w; ++b) {
      V* row = base + (a * L.phases_w + b) * L.phase;
      const PhaseColumns& c = cols[b];
      if constexpr (std::is_same_v<V, float>)
        if (L.stride <= 2 && c.first <= 8 && L.ws - c.last <= 8) {
          float_phase_plane(s, L, c, plane, a, row);
          continue;
        }
      for (int i = 0, y = a - s.pad; i < L.hs; ++i, y += L.stride, row += L.ws) {
        if (y < 0 || y >= s.h)
          zero_row(L.ws, row);
        else
          phase_row(L, c, plane + static_cast<long long>(y) * s.w, s.w, row);
      }
    }
}

// Image n's layout written at `image` (its place in a whole layout, or a buffer of its own).
template <class V>
void lay_out_one_image(const ConvShape& s, const OperandLayout& L, const V* input, int n, V* image,
                       const std::vector<char>* channels = nullptr) {
  if (L.stride == 1 && s.pad == 0 && !channels) {  // the layout is the tensor's own: [c][h][w]
    const V* from = input + static_cast<long long>(n) * L.image;
    std::copy(from, from + L.image, image);
    return;
  }
  const PhaseColumnSet cols(s, L);
  for (int ic = 0; ic < s.c; ++ic)
    if (!channels || (*channels)[static_cast<std::size_t>(ic)]) lay_out_channel(s, L, cols.cols, input, n, ic, image);
}

// Images [n0, n1) of a fully-connected job's operand [n, c] as [c, n].
template <class V>
void transpose_images(const ConvShape& s, const V* input, const std::vector<char>* images, int n0, int n1, V* out) {
  for (int n = n0; n < n1; ++n) {
    if (images && !(*images)[static_cast<std::size_t>(n)]) continue;
    for (int ic = 0; ic < s.c; ++ic) out[static_cast<long long>(ic) * s.n + n] = input[static_cast<long long>(n) * s.c + ic];
  }
}

// Eight images from n0, every channel (the last channels alone), by 8 x 8 blocks of
// 32-bit words (a word at a time, the transpose was 3% of a campaign run).
template <class V>
void transpose_eight(const ConvShape& s, const V* input, int n0, V* out) {
  static_assert(sizeof(V) == sizeof(float), "32-bit words");
  const long long c = s.c;
  int ic = 0;
  for (; ic + 8 <= s.c; ic += 8) {
    __m256 v[8];
    for (int i = 0; i < 8; ++i) v[i] = _mm256_loadu_ps(reinterpret_cast<const float*>(input + (n0 + i) * c + ic));
    transpose8(v);
    for (int i = 0; i < 8; ++i)
      _mm256_storeu_ps(reinterpret_cast<float*>(out + (ic + i) * static_cast<long long>(s.n) + n0), v[i]);
  }
  for (; ic < s.c; ++ic)
    for (int i = 0; i < 8; ++i) out[ic * static_cast<long long>(s.n) + n0 + i] = input[(n0 + i) * c + ic];
}

// A fully-connected job's operand [n, c] as [c, n]: 32-bit words by runs of eight
// images all read, the rest one at a time.
template <class V>
void transpose_rows(const ConvShape& s, const V* input, const std::vector<char>* images, V* out) {
  int n = 0;
  if constexpr (sizeof(V) == sizeof(float))
    for (; n + 8 <= s.n; n += 8) {
      const bool all = !images || std::all_of(images->begin() + n, images->begin() + n + 8, [](char i) { return i; });
      if (all) transpose_eight(s, input, n, out);
      else transpose_images(s, input, images, n, n + 8, out);
    }
  transpose_images(s, input, images, n, s.n, out);
}

template <class V>
void lay_out_any(const ConvShape& s, const OperandLayout& L, const V* input, const std::vector<char>* images, V* out) {
  if (!L.by_image)
    transpose_rows(s, input, images, out);
  else
    for (int n = 0; n < s.n; ++n)
      if (!images || (*images)[static_cast<std::size_t>(n)]) lay_out_one_image(s, L, input, n, out + n * L.image);
  std::fill(out + L.total, out + L.total + kSlack, V{0});
}

}  // namespace

void lay_out(const ConvShape& s, const OperandLayout& layout, const float* input, const std::vector<char>* images,
             float* out) {
  lay_out_any(s, layout, input, images, out);
}

void lay_out(const ConvShape& s, const OperandLayout& layout, const std::uint16_t* input,
             const std::vector<char>* images, std::uint16_t* out) {
  lay_out_any(s, layout, input, images, out);
}

void lay_out(const ConvShape& s, const OperandLayout& layout, const std::int32_t* input,
             const std::vector<char>* images, std::int32_t* out) {
  lay_out_any(s, layout, input, images, out);
}

void lay_out_image(const ConvShape& s, const OperandLayout& layout, const float* input, int n, float* out) {
  lay_out_one_image(s, layout, input, n, out + n * layout.image);
}

void lay_out_image(const ConvShape& s, const OperandLayout& layout, const std::uint16_t* input, int n,
                   std::uint16_t* out, const std::vector<char>* channels) {
  lay_out_one_image(s, layout, input, n, out + n * layout.image, channels);
}

void lay_out_image_alone(const ConvShape& s, const OperandLayout& layout, const float* input, int n, float* out) {
  lay_out_one_image(s, layout, input, n, out);
  std::fill(out + layout.image, out + layout.image + kSlack, 0.0f);
}

void lay_out_image_alone(const ConvShape& s, const OperandLayout& layout, const std::uint16_t* input, int n,
                         std::uint16_t* out, const std::vector<char>* channels) {
  lay_out_one_image(s, layout, input, n, out, channels);
  std::fill(out + layout.image, out + layout.image + kSlack, std::uint16_t{0});
}

ChunkSegments chunk_segments(const ConvShape& s, const OperandLayout& layout) {
  ChunkSegments g;
  const int P = s.p(), Q = s.q();
  const long long M = s.pixels();
  int n = 0, p = 0, q = 0, lane = 0;  // output position m, walked without divisions
  for (long long m = 0; m < M; ++m) {
    if (lane == 0) g.first.push_back(g.segments.size());
    const long long at = layout.position(n, p, q);
    if (lane > 0 && g.segments.back().src + g.segments.back().len == at)
      ++g.segments.back().len;
    else
      g.segments.push_back({lane, 1, at});
    if (++lane == kChunk) lane = 0;
    if (++q == Q) {
      q = 0;
      if (++p == P) p = 0, ++n;
    }
  }
  g.first.push_back(g.segments.size());
  return g;
}

const ChunkSegments& cached_chunk_segments(const ConvShape& s, const OperandLayout& layout) {
  using Key = std::array<int, 8>;  // everything the segments depend on (c: the image stride)
  thread_local std::map<Key, ChunkSegments> cache;
  const Key key{s.n, s.c, s.h, s.w, s.r, s.s, s.stride, s.pad};
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(key, chunk_segments(s, layout)).first->second;
}

}  // namespace accsim
