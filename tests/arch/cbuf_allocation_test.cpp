// CBUF bank allocation and splitting as NVDLA's compiler does it (arch/cbuf_allocation.h),
// on cases worked out by hand in the comments.
#include "arch/cbuf_allocation.h"

#include <gtest/gtest.h>

#include "arch/dram_channel.h"
#include "arch/input_error.h"
#include "test_util.h"

namespace accsim {
namespace {

ArrayConfig small_with_memory() {
  ArrayConfig a = testing::preset("small");  // nv_small, fp32
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  return a;
}

ConvShape shape(int c, int h, int w, int k, int r, int stride, int pad) { return {1, c, h, w, k, r, r, stride, pad}; }

TEST(CbufAllocation, SmallLayerKeepsInputAndAllWeights) {
  // 6x28x28 input, 16 5x5 kernels: rows of 28 entries (24 B of channels in 8 B entries: 3 atoms -> 3 x 28),
  // 28 rows -> 2352 entries = 5 banks; weights 6*25*16*4 B = 9600 B = 1200 entries = 3 banks.
  const CbufAllocation a = allocate_cbuf(shape(6, 28, 28, 16, 5, 1, 0), small_with_memory());
  EXPECT_EQ(a.entries_per_row, 84);
  EXPECT_EQ(a.banks_for_data, 5);
  EXPECT_EQ(a.banks_for_weights, 3);
  EXPECT_EQ(a.weights, WeightResidency::full);
  EXPECT_EQ(a.data_chunks, 1);
  EXPECT_EQ(a.weight_passes, 1);
}

TEST(CbufAllocation, FcLayerTooBigForCbufPingPongsKernelGroups) {
  // LeNet fc1 as a 1x1 job: 400 channels, 120 kernels: 192000 B of weights = 47 banks > 32;
  // one kernel group of 8: 12800 B = 1600 entries = 4 banks; 2 x 4 + 1 data bank fits.
  const CbufAllocation a = allocate_cbuf(shape(400, 1, 1, 120, 1, 1, 0), small_with_memory());
  EXPECT_EQ(a.banks_for_weights, 47);
  EXPECT_EQ(a.min_banks_for_weights, 4);
  EXPECT_EQ(a.weights, WeightResidency::ping_pong);
  EXPECT_EQ(a.weight_banks, 8);
  EXPECT_EQ(a.data_chunks, 1);
  EXPECT_EQ(a.weight_passes, 1);  // every kernel group is fetched once: the input stays
}

TEST(CbufAllocation, LargeInputIsSplitByRowsAndWeightsRefetchedPerChunk) {
  // 64x56x56, 64 3x3 kernels, pad 1: a row takes 32 x 56 = 1792 entries, the input 196 banks.
  // Weights 36 banks > 16 (half): ping-pong of 5-bank kernel groups = 10 banks, data 22 banks
  // = 11264 entries = 6 rows. Chunk 0 (rows 0-5) completes output rows 0-4, every later chunk
  // 4 more (top = next - 1, bottom = top + 5), the 14th reaches row 55.
  const ConvShape s = shape(64, 56, 56, 64, 3, 1, 1);
  const CbufAllocation a = allocate_cbuf(s, small_with_memory());
  EXPECT_EQ(a.banks_for_data, 196);
  EXPECT_EQ(a.weights, WeightResidency::ping_pong);
  EXPECT_EQ(a.data_banks, 22);
  EXPECT_EQ(partial_h_chunks(s, 6), 14);
  EXPECT_EQ(a.data_chunks, 14);
  EXPECT_EQ(a.weight_passes, 14);
}

TEST(CbufAllocation, ChunkRulesFollowStrideAndPadding) {
  // 10 rows, 3x3 stride 2 no pad: outputs 0..3 read rows 2p..2p+2. Chunks of 5 rows:
  // rows 0-4 -> outputs 0,1; next starts at row 4: rows 4-8 -> outputs 2,3; done.
  EXPECT_EQ(partial_h_chunks(shape(1, 10, 4, 1, 3, 2, 0), 5), 2);
  // Chunks as tall as the input: one.
  EXPECT_EQ(partial_h_chunks(shape(1, 10, 4, 1, 3, 1, 1), 10), 1);
}

TEST(CbufAllocation, RowsThatCannotCompleteAnOutputRowAreRejected) {
  EXPECT_THROW(partial_h_chunks(shape(1, 10, 4, 1, 5, 1, 0), 4), InputError);
  ArrayConfig a = small_with_memory();
  a.memory.cbuf_banks = 2, a.memory.cbuf_bank_entries = 64;  // 1 data bank: 64 entries < 3 rows of 32 x 56
  EXPECT_THROW(allocate_cbuf(shape(64, 56, 56, 8, 3, 1, 1), a), InputError);
}

TEST(DramChannel, StreamPaysBandwidthAndOneRowMissPerRow) {
  MemoryConfig m = memory_preset("nv_small");  // 8 B/cycle, 2 KiB rows, 28-cycle misses
  EXPECT_EQ(dram_transfer_cycles(0, m), 0);
  EXPECT_EQ(dram_transfer_cycles(4096, m), 512 + 2 * 28);
  EXPECT_EQ(dram_transfer_cycles(4097, m), 513 + 3 * 28);
}

}  // namespace
}  // namespace accsim
