// The laid-out streamed operand and the chunk segments read, for every lane of every
// chunk, kernel position and channel, exactly the operand the convolution reads there
// (the zero padding included).
#include "kernels/conv_operands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_util.h"

namespace accsim {
namespace {

// input[n][c][y - pad][x - pad], 0 in the padding.
float padded(const ConvShape& s, const Tensor& in, int n, int c, int y, int x) {
  y -= s.pad, x -= s.pad;
  if (y < 0 || y >= s.h || x < 0 || x >= s.w) return 0.0f;
  return in[((static_cast<std::size_t>(n) * s.c + c) * s.h + y) * s.w + x];
}

// Compares every gathered lane of one shape; returns the lanes checked.
long long expect_gathers_match(const ConvShape& s, const Tensor& in) {
  const OperandLayout layout(s);
  std::vector<float> laid(layout.size(), -1.0f);
  lay_out(s, layout, in.data(), nullptr, laid.data());
  const ChunkSegments segs = chunk_segments(s, layout);
  const long long M = s.pixels(), chunks = (M + kChunk - 1) / kChunk;
  const int P = s.p(), Q = s.q();
  std::vector<float> row(kChunk + kSlack);
  long long checked = 0;
  for (long long chunk = 0; chunk < chunks; ++chunk)
    for (int c = 0; c < s.c; ++c)
      for (int r = 0; r < s.r; ++r)
        for (int kc = 0; kc < s.s; ++kc) {
          gather_row(laid.data() + c * layout.channel + layout.kernel_offset(r, kc), segs.begin(chunk),
                     segs.end(chunk), row.data());
          for (long long m = chunk * kChunk; m < std::min(M, (chunk + 1) * kChunk); ++m, ++checked) {
            const int n = static_cast<int>(m / (P * Q)), p = static_cast<int>(m / Q % P), q = static_cast<int>(m % Q);
            const float want = padded(s, in, n, c, p * s.stride + r, q * s.stride + kc);
            EXPECT_EQ(row[m - chunk * kChunk], want) << "chunk " << chunk << " m " << m << " c " << c << " r " << r
                                                     << " kc " << kc;
            if (::testing::Test::HasFailure()) return checked;
          }
        }
  return checked;
}

TEST(ConvOperands, EveryGatheredLaneIsTheOperandTheConvolutionReads) {
  long long checked = 0;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    Rng rng(0x0be7a + seed * 7919);
    ConvShape s;
    s.n = 1 + static_cast<int>(rng.below(3));
    s.c = 1 + static_cast<int>(rng.below(3));
    s.r = 1 + static_cast<int>(rng.below(5));
    s.s = 1 + static_cast<int>(rng.below(5));
    s.stride = 1 + static_cast<int>(rng.below(4));
    s.pad = static_cast<int>(rng.below(4));
    s.h = std::max(1, s.r - 2 * s.pad) + static_cast<int>(rng.below(12));
    s.w = std::max(1, s.s - 2 * s.pad) + static_cast<int>(rng.below(12));
    if (rng.below(5) == 0) s.h = s.w = s.r = s.s = 1, s.pad = 0, s.n = 1 + static_cast<int>(rng.below(150));  // fc
    const Tensor in = testing::random_tensor({s.n, s.c, s.h, s.w}, rng, 1.0f, 2.0f);  // never 0: padding shows
    checked += expect_gathers_match(s, in);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(checked, 100000);
}

// Rows long enough for the vector paths of the layout (stride 2: eight even elements of
// sixteen at a time, the row's end read by the scalar tail; stride 1 without padding:
// whole images copied).
TEST(ConvOperands, LongRowsOfStrideTwoAndUnpaddedImagesAreLaidOutExactly) {
  long long checked = 0;
  for (int w : {16, 17, 28, 31, 40})
    for (int stride : {1, 2})
      for (int pad : {0, 1}) {
        const ConvShape s{2, 2, 5, w, 1, 3, 3, stride, pad};
        Rng rng(static_cast<std::uint64_t>(w * 4 + stride * 2 + pad));
        checked += expect_gathers_match(s, testing::random_tensor({2, 2, 5, w}, rng));
      }
  EXPECT_GT(checked, 10000);
}

// More phases per row than the layout keeps inline (stride 5 and 6 under 5x5 and 6x6 kernels).
TEST(ConvOperands, ManyPhasesAreLaidOutExactly) {
  for (int stride : {5, 6}) {
    const ConvShape s{2, 2, 13, 23, 1, stride, stride, stride, 2};
    Rng rng(static_cast<std::uint64_t>(stride));
    EXPECT_GT(expect_gathers_match(s, testing::random_tensor({2, 2, 13, 23}, rng)), 100);
  }
}

// Image n's layout at `laid` against the definition, element by element (the padding
// included); returns the elements that differ.
long long layout_differences(const ConvShape& s, const OperandLayout& L, const Tensor& in, int n, const float* laid) {
  long long bad = 0;
  for (int c = 0; c < s.c; ++c)
    for (int a = 0; a < L.phases_h; ++a)
      for (int b = 0; b < L.phases_w; ++b)
        for (int i = 0; i < L.hs; ++i)
          for (int j = 0; j < L.ws; ++j) {
            const float got = laid[c * L.channel + (a * L.phases_w + b) * L.phase + static_cast<long long>(i) * L.ws + j];
            bad += got != padded(s, in, n, c, a + i * s.stride, b + j * s.stride);
          }
  return bad;
}

// Every element of every row width from 1 to 40 at pads 0-3, strides 1 and 2 (rows of
// whole vectors, short rows as one vector, rows under a vector), the whole operand and
// an image alone, and nothing written past the slack.
TEST(ConvOperands, EveryElementOfEveryRowWidthIsTheDefinitions) {
  constexpr float kUntouched = -9.0f;
  constexpr int kGuard = 32;
  for (int w = 1; w <= 40; ++w)
    for (int stride : {1, 2})
      for (int pad = 0; pad <= 3; ++pad) {
        const ConvShape s{2, 2, 3, w, 1, 3, std::min(3, w + 2 * pad), stride, pad};
        const OperandLayout L(s);
        Rng rng(static_cast<std::uint64_t>(w * 8 + stride * 4 + pad));
        const Tensor in = testing::random_tensor({s.n, s.c, s.h, s.w}, rng, 1.0f, 2.0f);  // never 0: padding shows
        std::vector<float> whole(L.size() + kGuard, kUntouched), alone(L.image + kSlack + kGuard, kUntouched);
        lay_out(s, L, in.data(), nullptr, whole.data());
        lay_out_image_alone(s, L, in.data(), 1, alone.data());
        const std::string what = "w " + std::to_string(w) + " stride " + std::to_string(stride) + " pad " + std::to_string(pad);
        ASSERT_TRUE(L.by_image) << what;
        for (int n = 0; n < s.n; ++n) EXPECT_EQ(layout_differences(s, L, in, n, whole.data() + n * L.image), 0) << what;
        EXPECT_EQ(layout_differences(s, L, in, 1, alone.data()), 0) << what;
        EXPECT_TRUE(std::all_of(whole.end() - kGuard, whole.end(), [](float v) { return v == kUntouched; })) << what;
        EXPECT_TRUE(std::all_of(alone.end() - kGuard, alone.end(), [](float v) { return v == kUntouched; })) << what;
        if (::testing::Test::HasFailure()) return;
      }
}

TEST(ConvOperands, OnlySelectedImagesAreLaidOut) {
  ConvShape s{3, 2, 5, 5, 1, 3, 3, 1, 1};
  Rng rng(3);
  const Tensor in = testing::random_tensor({s.n, s.c, s.h, s.w}, rng, 1.0f, 2.0f);
  const OperandLayout layout(s);
  std::vector<float> laid(layout.size(), -7.0f);
  const std::vector<char> images{0, 1, 0};
  lay_out(s, layout, in.data(), &images, laid.data());
  ASSERT_TRUE(layout.by_image);
  for (int n = 0; n < s.n; ++n)
    for (long long i = 0; i < layout.image; ++i) {
      const float v = laid[static_cast<std::size_t>(n * layout.image + i)];
      EXPECT_EQ(v == -7.0f, images[n] == 0) << "image " << n;
    }
}

}  // namespace
}  // namespace accsim
