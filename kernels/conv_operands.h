#pragma once
// The streamed operand of a job laid out for the array-faithful kernels (array_conv):
// every channel's images zero-padded and split into stride x stride phases, so that
// the operands one kernel position reads for the output positions of one output row
// are consecutive in memory: no padding tests and no strided reads in the hot loop.
// A chunk of consecutive output positions then reads each channel's operands of any
// kernel position as the same few contiguous segments (`ChunkSegments`), shifted by a
// per-position offset (one segment for fully-connected jobs and unpadded 1x1 kernels).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "arch/conv_job.h"

namespace accsim {

inline constexpr int kChunk = 128;  // output positions computed together (vector lanes)
inline constexpr int kSlack = 16;  // elements readable past any segment or row (a copy overruns by < 16)

// Where operand (channel ic, image n, padded row y, padded column x) lives: phase
// (y % stride, x % stride) of the channel, at (y / stride, x / stride) of that phase.
// Spatial jobs hold image after image, each with all its channels (an image can be
// laid out just before the chunks that read it); fully-connected jobs (1x1 inputs)
// hold channel after channel, each with every image ([c][n]: a chunk's operands of a
// channel are one run).
struct OperandLayout {
  explicit OperandLayout(const ConvShape& s);
  int stride;
  int phases_h, phases_w;  // phases a kernel reads per axis: min(stride, r), min(stride, s)
  int hs, ws;              // one phase's plane
  bool by_image;           // image-major (spatial jobs), else channel-major
  long long image;         // between images
  long long phase;         // between the phases of one channel
  long long channel;       // between channels
  long long total;         // elements of the whole operand
  // Offset of output position (n, p, q)'s operand at kernel position (0, 0), channel 0.
  long long position(int n, int p, int q) const { return n * image + static_cast<long long>(p) * ws + q; }
  // What kernel position (r, kc) adds to position().
  long long kernel_offset(int r, int kc) const {
    return ((r % stride) * phases_w + kc % stride) * phase + static_cast<long long>(r / stride) * ws + kc / stride;
  }
  // Elements of a laid-out operand, with the slack a chunk row may read past the end.
  std::size_t size() const { return static_cast<std::size_t>(total) + kSlack; }
};

// Fills `out` (layout.size() elements) from input [n, c, h, w]: only the images with
// images[n] set (null: every image); the other images' elements are left as they were
// (no computed output reads them).
void lay_out(const ConvShape& s, const OperandLayout& layout, const float* input, const std::vector<char>* images,
             float* out);
void lay_out(const ConvShape& s, const OperandLayout& layout, const std::uint16_t* input,
             const std::vector<char>* images, std::uint16_t* out);
void lay_out(const ConvShape& s, const OperandLayout& layout, const std::int32_t* input,
             const std::vector<char>* images, std::int32_t* out);
// Image n alone (an image-major layout).
void lay_out_image(const ConvShape& s, const OperandLayout& layout, const float* input, int n, float* out);
// `channels`: only the channels set there (null: every channel).
void lay_out_image(const ConvShape& s, const OperandLayout& layout, const std::uint16_t* input, int n,
                   std::uint16_t* out, const std::vector<char>* channels = nullptr);
// Image n's layout at `out` itself (layout.image elements, then kSlack zeros): a kernel
// that computes an image at a time reuses one buffer that stays in cache.
void lay_out_image_alone(const ConvShape& s, const OperandLayout& layout, const float* input, int n, float* out);
void lay_out_image_alone(const ConvShape& s, const OperandLayout& layout, const std::uint16_t* input, int n,
                         std::uint16_t* out, const std::vector<char>* channels = nullptr);

// Lanes [dst, dst + len) of a chunk read the operands at [src, src + len) (relative to a
// channel's kernel-position base).
struct Segment {
  int dst, len;
  long long src;
};

// The segments of every chunk of a shape's output positions: chunk k's are
// segments[first[k] .. first[k + 1]), in increasing dst order.
struct ChunkSegments {
  std::vector<Segment> segments;
  std::vector<std::size_t> first;
  const Segment* begin(long long chunk) const { return segments.data() + first[static_cast<std::size_t>(chunk)]; }
  const Segment* end(long long chunk) const { return segments.data() + first[static_cast<std::size_t>(chunk) + 1]; }
};

ChunkSegments chunk_segments(const ConvShape& s, const OperandLayout& layout);
// chunk_segments, built once per shape and calling thread (campaigns run the same few
// shapes over and over). Valid until the same thread's next call; workers only read it.
const ChunkSegments& cached_chunk_segments(const ConvShape& s, const OperandLayout& layout);

// One row of a chunk: the lanes' operands from `base` (a channel's kernel-position
// base) copied into `to` a vector at a time, each copy's overrun overwritten by the
// next segment or falling past the chunk's lanes.
inline void gather_row(const float* base, const Segment* first, const Segment* last, float* to) {
  for (const Segment* g = first; g != last; ++g) {
    const float* from = base + g->src;
    float* at = to + g->dst;
    for (int i = 0; i < g->len; i += 16) {  // two vectors a turn: up to 15 past the segment
      _mm256_storeu_ps(at + i, _mm256_loadu_ps(from + i));
      _mm256_storeu_ps(at + i + 8, _mm256_loadu_ps(from + i + 8));
    }
  }
}
inline void gather_row(const std::int32_t* base, const Segment* first, const Segment* last, std::int32_t* to) {
  for (const Segment* g = first; g != last; ++g) {
    const std::int32_t* from = base + g->src;
    std::int32_t* at = to + g->dst;
    for (int i = 0; i < g->len; i += 8)
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(at + i), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(from + i)));
  }
}
inline void gather_row(const std::uint16_t* base, const Segment* first, const Segment* last, std::uint16_t* to) {
  for (const Segment* g = first; g != last; ++g) {
    const std::uint16_t* from = base + g->src;
    std::uint16_t* at = to + g->dst;
    for (int i = 0; i < g->len; i += 8)
      _mm_storeu_si128(reinterpret_cast<__m128i*>(at + i), _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + i)));
  }
}

}  // namespace accsim
