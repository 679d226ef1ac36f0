#include "kernels/conv_operands.h"

#include <algorithm>
#include <array>
#include <map>

namespace accsim {

OperandLayout::OperandLayout(const ConvShape& s)
    : stride(s.stride),
      phases_h(std::min(s.stride, s.r)),
      phases_w(std::min(s.stride, s.s)),
      hs((s.h + 2 * s.pad + s.stride - 1) / s.stride),
      ws((s.w + 2 * s.pad + s.stride - 1) / s.stride),
      image(static_cast<long long>(hs) * ws),
      phase(s.n * image),
      channel(static_cast<long long>(phases_h) * phases_w * phase) {}

namespace {

// One row of phase column b: element j reads input column b + j*stride - pad (0 outside).
template <class V>
void phase_row(const ConvShape& s, const OperandLayout& L, int b, const V* src, V* row) {
  const int first = std::max(0, (s.pad - b + L.stride - 1) / L.stride);
  const int reach = s.w - 1 + s.pad - b;  // the last input column's padded offset in this phase
  const int last = std::max(first, reach < 0 ? 0 : std::min(L.ws, reach / L.stride + 1));  // one past
  for (int j = 0; j < first; ++j) row[j] = V{0};
  const V* from = src + (b + first * L.stride - s.pad);
  if (L.stride == 1) {
    std::copy(from, from + (last - first), row + first);
  } else {
    for (int j = first; j < last; ++j, from += L.stride) row[j] = *from;
  }
  for (int j = last; j < L.ws; ++j) row[j] = V{0};
}

// Padded input row by padded input row (each input row read once, its phases written
// while it is in cache).
template <class V>
void lay_out_planes(const ConvShape& s, const OperandLayout& L, const V* input, const std::vector<char>* images,
                    V* out) {
  const long long hw = static_cast<long long>(s.h) * s.w;
  for (int ic = 0; ic < s.c; ++ic)
    for (int n = 0; n < s.n; ++n) {
      if (images && !(*images)[static_cast<std::size_t>(n)]) continue;
      const V* plane = input + (static_cast<long long>(n) * s.c + ic) * hw;
      V* image = out + ic * L.channel + n * L.image;
      for (int i = 0; i < L.hs; ++i)
        for (int a = 0; a < L.phases_h; ++a) {
          const int y = a + i * L.stride - s.pad;
          for (int b = 0; b < L.phases_w; ++b) {
            V* row = image + (a * L.phases_w + b) * L.phase + static_cast<long long>(i) * L.ws;
            if (y < 0 || y >= s.h)
              std::fill(row, row + L.ws, V{0});
            else
              phase_row(s, L, b, plane + static_cast<long long>(y) * s.w, row);
          }
        }
    }
}

// A fully-connected job's operand [n, c] as [c, n].
template <class V>
void transpose_rows(const ConvShape& s, const V* input, const std::vector<char>* images, V* out) {
  for (int n = 0; n < s.n; ++n) {
    if (images && !(*images)[static_cast<std::size_t>(n)]) continue;
    for (int ic = 0; ic < s.c; ++ic) out[static_cast<long long>(ic) * s.n + n] = input[static_cast<long long>(n) * s.c + ic];
  }
}

template <class V>
void lay_out_any(const ConvShape& s, const OperandLayout& L, const V* input, const std::vector<char>* images, V* out) {
  if (s.h == 1 && s.w == 1 && s.pad == 0)  // one phase of 1x1 images
    transpose_rows(s, input, images, out);
  else
    lay_out_planes(s, L, input, images, out);
  std::fill(out + s.c * L.channel, out + s.c * L.channel + kSlack, V{0});
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
  using Key = std::array<int, 7>;  // everything the segments depend on
  thread_local std::map<Key, ChunkSegments> cache;
  const Key key{s.n, s.h, s.w, s.r, s.s, s.stride, s.pad};
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  if (cache.size() >= 64) cache.clear();
  return cache.emplace(key, chunk_segments(s, layout)).first->second;
}

}  // namespace accsim
