// ChunkFlips (kernels/chunk_flips.h) hands each (group, chunk) its flips in the pattern's
// order, whatever order the pattern's (group, step, position) sort leaves the chunks in:
// one flip, two flips whose chunks the pattern orders backwards, and many of one chunk
// among others (the stable sort's order within a chunk).
#include <gtest/gtest.h>

#include <vector>

#include "arch/error_pattern.h"
#include "kernels/chunk_flips.h"

namespace accsim {
namespace {

AccumulatorFlip flip(int group, int step, long long pixel, std::uint32_t mask) {
  return {ElementKey{group, step, pixel, 0}, mask};
}

// The masks of chunk (group, chunk)'s flips, in the order ChunkFlips gives them.
std::vector<std::uint32_t> masks_of(const ChunkFlips<AccumulatorFlip>& flips, int group, long long chunk) {
  std::vector<std::uint32_t> masks;
  for (auto [f, end] = flips.of(group, chunk); f != end; ++f) masks.push_back((*f)->mask);
  return masks;
}

TEST(ChunkFlips, OneFlipIsItsChunksAlone) {
  const std::vector<AccumulatorFlip> pattern{flip(1, 3, kChunk + 5, 7)};
  const ChunkFlips<AccumulatorFlip> flips(pattern);
  EXPECT_EQ(masks_of(flips, 1, 1), std::vector<std::uint32_t>{7});
  EXPECT_TRUE(masks_of(flips, 1, 0).empty());
  EXPECT_TRUE(masks_of(flips, 0, 1).empty());
}

TEST(ChunkFlips, TwoFlipsOfChunksThePatternOrdersBackwardsAreFoundInTheirChunks) {
  // Step order puts the later chunk first.
  const std::vector<AccumulatorFlip> pattern{flip(0, 0, kChunk, 1), flip(0, 1, 0, 2)};
  const ChunkFlips<AccumulatorFlip> flips(pattern);
  EXPECT_EQ(masks_of(flips, 0, 0), std::vector<std::uint32_t>{2});
  EXPECT_EQ(masks_of(flips, 0, 1), std::vector<std::uint32_t>{1});
}

TEST(ChunkFlips, ManyFlipsOfOneChunkKeepThePatternsOrderAmongOthers) {
  std::vector<AccumulatorFlip> pattern;
  std::vector<std::uint32_t> chunk0;
  for (int step = 0; step < 40; ++step) {
    pattern.push_back(flip(0, step, 2 * kChunk + step, 1000u + step));  // chunk 2
    pattern.push_back(flip(0, step, step, static_cast<std::uint32_t>(step)));  // chunk 0
    chunk0.push_back(static_cast<std::uint32_t>(step));
  }
  const ChunkFlips<AccumulatorFlip> flips(pattern);
  EXPECT_EQ(masks_of(flips, 0, 0), chunk0);
  EXPECT_EQ(masks_of(flips, 0, 2).size(), 40u);
  EXPECT_TRUE(masks_of(flips, 0, 1).empty());
}

}  // namespace
}  // namespace accsim
