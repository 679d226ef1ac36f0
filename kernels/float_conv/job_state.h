#pragma once
// What a float_conv job keeps per thread (its plan, the mapping's tables, its scratch) and the
// small types its paths share. Part of kernels/float_conv.cpp's one translation unit.
#include <algorithm>
#include <array>
#include <atomic>
#include <thread>
#include <utility>
#include <vector>

#include "arch/datapath.h"
#include "arch/hardware_fault.h"
#include "kernels/chunk_flips.h"
#include "kernels/column_sums.h"
#include "kernels/conv_operands.h"
#include "kernels/conv_selection.h"
#include "kernels/flipped_psum.h"
#include "kernels/one_row_sums.h"
#include "kernels/register_vectors.h"
#include "kernels/slot_sums.h"
#include "kernels/transpose8.h"
#include "kernels/worker_pool.h"

namespace accsim {
namespace {

namespace cs = column_sums;

// How a column steps through a chunk. Fused: the tree and the accumulation in one
// pass, NaNs canonicalised on the way out (nothing observes them before). FusedExact:
// the same pass with the psum register's mask and canonical accumulation (a psum
// stuck-at observes every sum). StepExact: the datapath's bits at every step through
// the exact kernel with the flipped lanes recomputed after it (exact_kernel_step), or
// exact_step where the row count has no vector tree (accumulator stuck-ats, flips in
// the chunk). FlipSteps: a column whose only exact work is its transient psum flips
// steps Fused, and StepExact at the steps those flips hit (nothing else observes its
// NaNs before the way out: a flipped lane's sum is recomputed from its entry, and
// whether a sum is NaN never depends on a NaN operand's payload). A psum stuck-at
// whose mask keeps NaNs NaN (column_sums::keeps_nans) in a job of two steps or more (the
// last accumulation is canonical) steps Fused through the masked kernel
// (masked_accumulate_fn: the mask on each sum as the tree makes it), its NaNs
// canonicalised on the way out. EntrySteps: StepExact for a column whose exact work in
// the chunk is its stuck accumulator entries (and psum stuck-ats), no flip: the slot
// kernels can take it (SlotInput::entry). Flipped: a FlipSteps column after its first
// flipped step, whose other steps keep the trees' +0 (FloatConv::column_step).
enum Exactness : char { kFused, kFusedExact, kStepExact, kFlipSteps, kEntrySteps, kFlipped };

// One step of a chunk in one group, with the step's psum and accumulator flips.
struct ChunkStep {
  long long chunk;
  int count, g, b, rs;
  const PsumFlips* const* p0;
  const PsumFlips* const* p1;
  const AccumulatorFlip* const* a0;
  const AccumulatorFlip* const* a1;
};

// Output-channel groups whose rows serve the same channels share each step's operands:
// up to this many columns are computed per gather.
constexpr int kBatchColumns = 64;

// Floats at a cache-line boundary (whole vectors never straddle two lines), kept when
// grown only to a larger size. `moved` after a reallocation: the contents are lost.
struct LineFloats {
  std::vector<float> storage;
  float* data = nullptr;
  bool grow(std::size_t n) {
    if (data && storage.size() >= n + 16) return false;
    storage.assign(n + 16, 0.0f);
    data = reinterpret_cast<float*>((reinterpret_cast<std::uintptr_t>(storage.data()) + 63) & ~std::uintptr_t{63});
    return true;
  }
};

// The output positions of a one-row column's lanes: rows of `width` lanes, the first `kept`
// of each row positions in a row of the output (a plane's lanes past Q are dropped: -1).
struct LanePositions {
  long long first;
  int width, kept;
  long long of(int lane) const {
    const int q = lane % width;
    return q < kept ? first + static_cast<long long>(lane / width) * kept + q : -1;
  }
};

// Per-thread working memory of one chunk, reused across calls.
struct Scratch {
  LineFloats x;                   // [row * kRowStride + lane]
  LineFloats acc;                 // [slot * kChunk + lane], slot = batch group * cols + col
  std::vector<float> psum;        // [lane]
  LineFloats leaves;              // [row * kRowStride + lane]: masked rows' products or masked inputs
  int leaf_col = -1;              // the column whose leaves were computed last, in gather leaf_gather
  long long leaf_gather = -1;
  long long gathers = 0;          // gathers into x so far (names a step's operands)
  std::vector<char> zero_x;       // [row]: the row holds +0 in every lane
  std::vector<int> dirty_x;       // the rows whose flag is clear (what a gather may have to clear)
  std::vector<float> tree;        // generic trees
  std::vector<std::uint32_t> cube, flip, raw;  // flipped_psum's operand words, scratch, weight words
  std::vector<std::pair<int, float>> flipped;  // [flip]: lane, its entry before the step
  std::vector<char> exact;        // [slot]: how the column steps (Exactness)
  std::vector<column_sums::ColumnInput> inputs;  // [slot]: a chunk's column inputs, w set per step
  std::vector<std::vector<int>> live;  // [batch group]: the columns a chunk computes
  std::vector<std::pair<const PsumFlips* const*, const PsumFlips* const*>> psum_flips;             // [batch group]
  std::vector<std::pair<const AccumulatorFlip* const*, const AccumulatorFlip* const*>> acc_flips;  // [batch group]
  std::vector<float> laid;        // image-major layouts: this thread's laid-out operand
  std::vector<std::uint16_t> laid_words;
  std::vector<char> laid_images;  // [n]: laid out in this call
  LineFloats taps;                // one-row jobs: [rs * kRowStride + lane], the row's operand of each step
  std::vector<std::uint16_t> tap_words;
  LineFloats plane;               // one-row planes: [p * ws + q] of one output channel of one image
  std::vector<std::uint32_t> entry_keep, entry_force;  // one-row columns: [lane] their accumulator entries' masks
  std::array<long long, 6> entry_key{};  // what they were made for (FloatConv::entry_lanes)
  LineFloats band;                // region bands: [row * kRowStride + i], input rows of a band of one image
  std::vector<std::pair<int, int>> slots;  // slot kernels: [slot] its (group, column)
  LineFloats slot_w;                       // [(step * rows + row) * stride + slot]: weight registers
  std::vector<std::ptrdiff_t> slot_off;    // [step * rows + row]: the operand's channel and kernel position
  std::vector<std::size_t> slot_entries;   // [slot]: its entry at step 0
  std::vector<std::uint32_t> slot_masks;   // slot_sums::SlotInput::masks of the slots slot_w holds, then psum
  unsigned slot_input_rows = 0, slot_product_rows = 0;
  bool slot_psum = false, slot_psum_canonical = false;  // SlotInput::psum (set), psum_canonical
  bool slot_operand = false;  // slot_sums::kMaskedOperand: the input masks one mask, slot_xm_mask
  std::pair<std::uint32_t, std::uint32_t> slot_xm_mask;  // (keep, force)
  std::vector<std::ptrdiff_t> slot_xm_off;               // [step]: SlotInput::xm_off
  std::vector<std::uint32_t> slot_entry_masks;  // SlotInput::entry: [phase][keep, force][slot]; empty: none
  std::vector<char> slot_entry_phases;          // SlotInput::entry_phases
  std::vector<std::pair<int, int>> slot_w_of;  // the slots slot_w holds, for job slot_job's batch slot_batch
  unsigned long long slot_job = 0;
  std::size_t slot_batch = 0;
  std::vector<std::ptrdiff_t> slot_pos;    // [lane]: the chunk's positions in the laid-out operand
  LineFloats slot_acc;                     // [lane * stride + slot]
  void size_for(int rows, int cols) {
    const std::size_t xs = static_cast<std::size_t>(rows) * cs::kRowStride;
    if (x.grow(xs)) zero_x.clear(), dirty_x.clear();  // the rows moved
    if (leaves.grow(xs)) leaf_col = -1;  // the rows moved
    const std::size_t slots = static_cast<std::size_t>(std::max(cols, kBatchColumns));
    acc.grow(slots * kChunk);
    if (psum.size() < static_cast<std::size_t>(cs::kRowStride)) psum.resize(cs::kRowStride);
    if (tree.size() < static_cast<std::size_t>(rows) * kChunk) tree.resize(static_cast<std::size_t>(rows) * kChunk);
    cube.resize(static_cast<std::size_t>(rows));
    raw.resize(static_cast<std::size_t>(rows));
    track(zero_x, dirty_x, rows);
    exact.resize(slots);
    inputs.resize(slots);
  }
  // Rows [zero.size(), rows) flagged as not known to be +0.
  static void track(std::vector<char>& zero, std::vector<int>& dirty, int rows) {
    for (int row = static_cast<int>(zero.size()); row < rows; ++row) zero.push_back(0), dirty.push_back(row);
  }
};

// Threads only pay off on jobs of a few hundred thousand MACs and more, and on plans of
// this many weight registers.
constexpr long long kSplitMacs = 1LL << 18;
constexpr std::size_t kSplitRegisters = std::size_t{1} << 16;

// A job with fewer chunks than this many per thread splits its columns instead.
constexpr int kColumnSplitChunks = 4;

// A slot column whose transient flips hit at most this many lanes of a chunk stays in the
// slot kernels there, each flipped lane recomputed scalar over every step (more: the
// lane kernels' pass of the column costs less).
constexpr int kSlotFlippedLanes = 4;

// Slice `part` of `parts` of `v` (contiguous, sizes differing by at most one).
void keep_slice(std::vector<int>& v, int part, int parts) {
  const std::size_t n = v.size(), first = n * part / parts, last = n * (part + 1) / parts;
  v.erase(v.begin() + static_cast<std::ptrdiff_t>(last), v.end());
  v.erase(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(first));
}

// The canonical NaN in lanes [0, count) copied from `from`.
void copy_canonical(const float* from, long long count, float* to) {
  long long i = 0;
  for (; i + cs::kLanes <= count; i += cs::kLanes) _mm256_storeu_ps(to + i, cs::canonical(_mm256_loadu_ps(from + i)));
  if (i == count) return;
  if (count >= cs::kLanes) {  // the last lanes as a whole vector over the ones before: masked stores are slow on AMD
    _mm256_storeu_ps(to + count - cs::kLanes, cs::canonical(_mm256_loadu_ps(from + count - cs::kLanes)));
    return;
  }
  // Rows of fewer than a vector through masked loads and stores.
  const __m256i lanes = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count - i)),
                                           _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  _mm256_maskstore_ps(to + i, lanes, cs::canonical(_mm256_maskload_ps(from + i, lanes)));
}

// The kernels of one row count (plan_columns): fused, exact, and masked (a psum stuck-at
// stepped Fused).
struct Kernels {
  cs::AccumulateFn fused, exact, masked;
};

// A block's rows: rows [0, used) serve channels; trailing_idle: every later row is idle;
// first_channel: row 0's channel when rows [0, used) serve consecutive ones, else -1.
struct BlockRows {
  int used = 0;
  bool trailing_idle = true;
  int first_channel = -1;
};

// A block's plain columns (plan_plain): their kernels, the rows they read and those
// whose registers are written, and whether those serve consecutive channels of one
// kernel position (fully-connected jobs without a swizzle: one run of weights).
struct PlainBlock {
  column_sums::AccumulateFn fused = nullptr, exact = nullptr;
  int reads = 0, rows = 0;
  bool consecutive = false;
};

BlockRows block_rows(const std::vector<int>& row_ch, int rows) {
  BlockRows br;
  while (br.used < rows && row_ch[br.used] >= 0) ++br.used;
  for (int row = br.used; row < rows; ++row) br.trailing_idle = br.trailing_idle && row_ch[row] < 0;
  bool consecutive = br.used > 0;
  for (int row = 1; row < br.used && consecutive; ++row) consecutive = row_ch[row] == row_ch[0] + row;
  if (consecutive) br.first_channel = row_ch[0];
  return br;
}

// A batch's columns as the slot kernels see them (FloatConv::slot_count).
struct SlotCount {
  int slots = 0, others = 0;          // live columns the slot kernels can compute, and the rest
  int entry_others = 0;               // of the rest, those kept for a stuck accumulator entry alone
  int masked_pes = 0;                 // the slot columns' PEs with an input or product mask
  int input_rows = 0, product_rows = 0;  // rows where some slot column has one
  int psum_slots = 0;                 // slot columns with a psum stuck-at
};

// What depends on the mapping alone, made for the mapping of `key`.
struct MappingTables {
  Mapping::Key key;                              // invalid while the tables are being made
  std::vector<std::vector<int>> col_ch, row_ch;  // [g], [g * blocks + b]
  std::vector<std::vector<int>> busy;            // [g * blocks + b]: the rows serving a channel
  std::vector<BlockRows> block_rows;             // [g * blocks + b]
  std::vector<std::pair<int, int>> batches;      // groups [g0, g1) computed together
  unsigned long long used = 0;                   // when last used (Plan::tables_for)
};

// The tables of one call, kept per calling thread: a job allocates nothing once the
// thread has run one of its size (the workers of a split only read them).
struct Plan {
  std::vector<long long> kernel_offset;          // [rs]
  std::vector<float> w_reg;                      // [entry * rows + row], through the masks
  std::vector<const float*> w_at;                // [entry]: its registers (in w_reg, or the weights themselves)
  std::vector<cs::AccumulateFn> fused;           // [entry] (psum_masked columns: the masked kernel)
  std::vector<cs::AccumulateFn> exact;           // [entry]: the exact kernel (columns with faults)
  std::vector<StuckMask> im, pm;                 // [col * rows + row]
  std::vector<std::size_t> masked_pes;           // the entries of im and pm the last call set
  std::vector<float> idle;                       // [col * rows + row]: an idle PE's weight register
  std::vector<int> idle_cols;                    // the columns whose idle entries the last call set
  std::vector<int> zero_from;                    // [col]: rows from here on give +0 products when idle
  std::vector<StuckMask> wm;                     // [col * rows + row]: the weight register's mask
  std::vector<char> col_masked, psum_stuck;      // [col]
  std::vector<char> col_products;                // [col]: a PE of the column has a product mask
  std::vector<char> psum_masked;                 // [col]: a psum stuck-at stepped Fused (masked kernel)
  std::vector<char> raw_cols;                    // [col]: psum flips hit the column (flipped sums read its words)
  std::vector<int> raw_rows;                     // [col]: 1 + the last row its psum flips hit
  std::vector<int> reads;                        // [(g * blocks + b) * cols + col]: rows its kernels read
  std::vector<char> weight_stuck;                // [col]: a weight register of the column has a stuck-at
  std::vector<std::uint64_t> special;            // [col * words + w]: bit set of the masked rows
  std::vector<std::uint64_t> products;           // the same: the rows with a product mask
  std::vector<std::vector<int>> acc_slots;       // [col]: stuck accumulator entries
  std::vector<char> plain;                       // [col]: no mask, stuck-at or flipped words (plan_plain)
  bool all_plain = false;                        // every column is
  // The tables of the last few mappings (a rerun runs a model's layers in turn, each of
  // its own mapping): the entry of `key`, or the least recently used one, its key
  // invalid until the caller has made its tables.
  std::array<MappingTables, 8> tables;
  unsigned long long uses = 0;
  MappingTables& tables_for(const Mapping::Key& key) {
    MappingTables* pick = &tables[0];
    for (MappingTables& t : tables) {
      if (t.key == key) {
        pick = &t;
        break;
      }
      if (t.used < pick->used) pick = &t;
    }
    if (pick->key != key) pick->key = Mapping::Key{};
    pick->used = ++uses;
    return *pick;
  }
  static Plan& of_this_thread() {
    thread_local Plan plan;
    return plan;
  }
};

}  // namespace
}  // namespace accsim
