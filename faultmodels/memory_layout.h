#pragma once
// Where one array job's operands sit in the convolution buffer (CBUF) and in DRAM, word
// by word, so that a fault in a memory word can be traced to the tensor elements it
// corrupts (docs/memory_faults.md). A word is 64 data bits (the code word's data,
// faultmodels/ecc_code.h); an fp32 word holds two elements, an fp16 word four.
//
// CBUF (per job; the banks as arch/cbuf_allocation.h gives them):
//  - feature data from bank 0, entry 0: image by image, input row by row, each row
//    taking EPS entries (cbuf_allocation's entries_per_row): first the whole channel
//    surfaces (an entry = one pixel's channels [s*cpe, (s+1)*cpe), cpe = entry bytes /
//    element bytes), surface by surface, pixel by pixel; then the last, partial surface
//    of `last` atoms per pixel packed pixel after pixel (a pixel's atoms may straddle two
//    entries), except that 3 atoms take a whole entry each (the compiler's special case).
//    Channels past C in an atom are padding (hold nothing).
//  - weights from the first weight bank (banks - weight_banks), entry 0: kernel by kernel,
//    then r, s, then channel, densely packed.
//  Only what fits the region is mapped: with a split input (data_chunks > 1) the words
//  hold the first chunk's rows, with weights not fully resident the first kernels.
// DRAM (per model; array nodes in order): each job's weights [k, c, r, s] then its input
// [n, c, h, w], flat order, densely packed, each region starting on a word boundary.
#include <cstdint>
#include <vector>

#include "arch/array_config.h"
#include "arch/cbuf_allocation.h"
#include "arch/conv_job.h"

namespace accsim {

enum class Operand { input = 0, weights = 1 };

// One element of a job operand held (in part or whole) by a memory word.
struct HeldElement {
  Operand operand = Operand::input;
  long long element = 0;  // flat index in the operand ([n, c, h, w] or [k, c, r, s])
  int word_bit = 0;       // the data-word bit holding the element's bit 0
  int job = 0;            // DRAM: the job (in run order) whose operand it is; CBUF: 0
};

inline constexpr int kWordBytes = 8;

// The CBUF byte address (bank * bank_bytes + entry * entry_bytes + byte) of input
// element (n, c, h, w) / weight element (k, c, r, s).
long long cbuf_input_address(const ConvShape& shape, const MemoryConfig& memory, int element_bytes, int n, int c,
                             int h, int w);
long long cbuf_weight_address(const ConvShape& shape, const MemoryConfig& memory, const CbufAllocation& alloc,
                              int element_bytes, int k, int c, int r, int s);

// What every CBUF word (bank * bank_entries * words_per_entry + ...: byte address / 8)
// holds for one job: cbuf_bytes / 8 lists.
std::vector<std::vector<HeldElement>> cbuf_word_contents(const ConvShape& shape, const ArrayConfig& array);

// Appends one job's DRAM words (its weights, then its input) to `words`, the job's
// elements tagged with `job`.
void add_dram_job(const ConvShape& shape, int element_bytes, int job, std::vector<std::vector<HeldElement>>& words);

}  // namespace accsim
