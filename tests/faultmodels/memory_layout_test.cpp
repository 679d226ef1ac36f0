// The CBUF / DRAM word -> tensor element mapping (faultmodels/memory_layout.h) against a
// naive packer that walks the data in storage order and appends bytes.
#include "faultmodels/memory_layout.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "test_util.h"

namespace accsim {
namespace {

ArrayConfig with_memory(int entry_bytes, int atom_bytes, int banks) {
  ArrayConfig a = testing::preset("small");  // fp32
  a.memory = memory_preset("nv_small");
  a.memory.enabled = true;
  a.memory.cbuf_entry_bytes = entry_bytes;
  a.memory.memory_atomic_bytes = atom_bytes;
  a.memory.cbuf_banks = banks;
  a.memory.cbuf_bank_entries = 64;
  a.cbuf_bytes = a.memory.cbuf_bytes();
  return a;
}

// Naive: row by row, the whole surfaces pixel by pixel, then the partial surface's atoms
// appended byte after byte (a whole entry per pixel for 3 atoms). Returns the address of
// every input element, flat [n, c, h, w] order, and the entries used.
std::pair<std::map<long long, long long>, long long> naive_input(const ConvShape& sh, const MemoryConfig& m) {
  const int bpe = 4, E = m.cbuf_entry_bytes, A = m.memory_atomic_bytes;
  const int c_atoms = (sh.c * bpe + A - 1) / A, ape = E / A, full = c_atoms / ape, last = c_atoms % ape;
  std::map<long long, long long> address;
  auto flat = [&](int n, int c, int h, int w) { return ((static_cast<long long>(n) * sh.c + c) * sh.h + h) * sh.w + w; };
  long long entry = 0;
  for (int n = 0; n < sh.n; ++n)
    for (int h = 0; h < sh.h; ++h) {
      for (int s = 0; s < full; ++s)
        for (int w = 0; w < sh.w; ++w, ++entry)
          for (int b = 0; b < E; b += bpe)
            if ((s * E + b) / bpe < sh.c) address[flat(n, (s * E + b) / bpe, h, w)] = entry * E + b;
      if (last == 0) continue;
      long long cursor = 0;  // bytes of the partial surface so far
      for (int w = 0; w < sh.w; ++w) {
        if (last == 3) cursor = static_cast<long long>(w) * E;
        for (int b = 0; b < last * A; b += bpe, cursor += bpe)
          if ((full * E + b) / bpe < sh.c) address[flat(n, (full * E + b) / bpe, h, w)] = entry * E + cursor;
        if (last == 3) cursor = static_cast<long long>(w + 1) * E;
      }
      entry += (cursor + E - 1) / E;
    }
  return {address, entry};
}

TEST(MemoryLayout, CbufInputMatchesNaivePacker) {
  const std::tuple<int, int> memories[] = {{8, 8}, {32, 8}, {64, 32}, {16, 16}};
  const ConvShape shapes[] = {{2, 1, 5, 4, 3, 3, 3, 1, 0}, {1, 3, 4, 3, 2, 1, 1, 1, 0}, {2, 5, 3, 7, 4, 2, 2, 1, 1},
                              {1, 6, 4, 5, 8, 3, 3, 1, 1}, {1, 7, 2, 2, 2, 1, 1, 1, 0}, {1, 20, 2, 3, 2, 1, 1, 1, 0}};
  for (const auto& [entry, atom] : memories)
    for (const ConvShape& sh : shapes) {
      const ArrayConfig a = with_memory(entry, atom, 64);
      const auto [naive, entries] = naive_input(sh, a.memory);
      const CbufAllocation alloc = allocate_cbuf(sh, a);
      EXPECT_EQ(entries, alloc.entries_per_row * sh.h * sh.n) << entry << "/" << atom << " c=" << sh.c;
      for (const auto& [element, address] : naive) {
        const int w = static_cast<int>(element % sh.w), h = static_cast<int>(element / sh.w % sh.h);
        const int c = static_cast<int>(element / sh.w / sh.h % sh.c), n = static_cast<int>(element / sh.w / sh.h / sh.c);
        ASSERT_EQ(cbuf_input_address(sh, a.memory, 4, n, c, h, w), address)
            << entry << "/" << atom << " c=" << sh.c << " element " << element;
      }
      // The inverse table holds exactly these elements, at their word and bit.
      const auto words = cbuf_word_contents(sh, a);
      long long inputs = 0;
      for (std::size_t word = 0; word < words.size(); ++word)
        for (const HeldElement& e : words[word]) {
          if (e.operand != Operand::input) continue;
          ++inputs;
          EXPECT_EQ(naive.at(e.element), static_cast<long long>(word) * 8 + e.word_bit / 8);
        }
      EXPECT_EQ(inputs, static_cast<long long>(naive.size()));
    }
}

TEST(MemoryLayout, CbufWeightsSitInTheTopBanksKernelMajor) {
  const ArrayConfig a = with_memory(8, 8, 32);
  const ConvShape sh{1, 3, 6, 6, 4, 3, 3, 1, 1};
  const CbufAllocation alloc = allocate_cbuf(sh, a);
  const auto words = cbuf_word_contents(sh, a);
  const long long first_word = static_cast<long long>(32 - alloc.weight_banks) * 64;
  long long expected = 0;  // element e at byte 4e of the weight region: (k, c, r, s) -> k, r, s, c order
  std::map<long long, long long> byte_of;
  for (int k = 0; k < 4; ++k)
    for (int r = 0; r < 3; ++r)
      for (int s = 0; s < 3; ++s)
        for (int c = 0; c < 3; ++c) byte_of[((k * 3 + c) * 3 + r) * 3 + s] = 4 * expected++;
  long long seen = 0;
  for (std::size_t word = 0; word < words.size(); ++word)
    for (const HeldElement& e : words[word])
      if (e.operand == Operand::weights) {
        ++seen;
        EXPECT_EQ((static_cast<long long>(word) - first_word) * 8 + e.word_bit / 8, byte_of.at(e.element));
      }
  EXPECT_EQ(seen, 4 * 3 * 9);
}

TEST(MemoryLayout, CbufMapsOnlyWhatFitsTheDataBanks) {
  const ArrayConfig a = with_memory(8, 8, 4);  // 4 banks of 64 entries: 2 data banks at most
  const ConvShape sh{1, 2, 40, 8, 2, 3, 3, 1, 0};  // 320 entries of data: split by rows
  const CbufAllocation alloc = allocate_cbuf(sh, a);
  ASSERT_GT(alloc.data_chunks, 1);
  const auto words = cbuf_word_contents(sh, a);
  long long inputs = 0;
  for (std::size_t word = 0; word < words.size(); ++word)
    for (const HeldElement& e : words[word])
      if (e.operand == Operand::input) {
        ++inputs;
        EXPECT_LT(static_cast<long long>(word), alloc.data_banks * 64LL);
      }
  EXPECT_EQ(inputs, 2LL * alloc.data_banks * 64);  // every data word holds 2 channels of one pixel
}

TEST(MemoryLayout, DramPacksWeightsThenInputPerJob) {
  std::vector<std::vector<HeldElement>> words;
  add_dram_job({1, 1, 3, 3, 3, 1, 1, 1, 0}, 4, 0, words);  // 3 weights (2 words), 9 inputs (5 words)
  add_dram_job({1, 3, 1, 1, 2, 1, 1, 1, 0}, 4, 1, words);  // 6 weights (3 words), 3 inputs (2 words)
  ASSERT_EQ(words.size(), 12u);
  EXPECT_EQ(words[1].size(), 1u);  // weight 2 and a padding half
  EXPECT_EQ(words[2][0].operand, Operand::input);
  EXPECT_EQ(words[6][0].element, 8);
  EXPECT_EQ(words[7][1].element, 1);
  EXPECT_EQ(words[7][1].word_bit, 32);
  EXPECT_EQ(words[7][1].job, 1);
  EXPECT_EQ(words[11][0].element, 2);
}

}  // namespace
}  // namespace accsim
