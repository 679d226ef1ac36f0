#include "kernels/float_conv.h"

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
// canonicalised on the way out.
enum Exactness : char { kFused, kFusedExact, kStepExact, kFlipSteps };

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
  std::vector<std::uint32_t> cube, flip;
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
  LineFloats band;                // region bands: [row * kRowStride + i], input rows of a band of one image
  std::vector<std::pair<int, int>> slots;  // slot kernels: [slot] its (group, column)
  LineFloats slot_w;                       // [(step * rows + row) * stride + slot]: weight registers
  std::vector<std::ptrdiff_t> slot_off;    // [step * rows + row]: the operand's channel and kernel position
  std::vector<std::size_t> slot_entries;   // [slot]: its entry at step 0
  std::vector<std::uint32_t> slot_masks;   // slot_sums::SlotInput::masks of the slots slot_w holds, then psum
  unsigned slot_input_rows = 0, slot_product_rows = 0;
  bool slot_psum = false, slot_psum_canonical = false;  // SlotInput::psum (set), psum_canonical
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

// v[i][j] -> v[j][i] (an 8 x 8 block of floats; bits moved, never computed on).
inline void transpose8(__m256 v[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(v[0], v[1]), t1 = _mm256_unpackhi_ps(v[0], v[1]);
  const __m256 t2 = _mm256_unpacklo_ps(v[2], v[3]), t3 = _mm256_unpackhi_ps(v[2], v[3]);
  const __m256 t4 = _mm256_unpacklo_ps(v[4], v[5]), t5 = _mm256_unpackhi_ps(v[4], v[5]);
  const __m256 t6 = _mm256_unpacklo_ps(v[6], v[7]), t7 = _mm256_unpackhi_ps(v[6], v[7]);
  constexpr int lo = _MM_SHUFFLE(1, 0, 1, 0), hi = _MM_SHUFFLE(3, 2, 3, 2);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, lo), s1 = _mm256_shuffle_ps(t0, t2, hi);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, lo), s3 = _mm256_shuffle_ps(t1, t3, hi);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, lo), s5 = _mm256_shuffle_ps(t4, t6, hi);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, lo), s7 = _mm256_shuffle_ps(t5, t7, hi);
  v[0] = _mm256_permute2f128_ps(s0, s4, 0x20), v[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  v[2] = _mm256_permute2f128_ps(s2, s6, 0x20), v[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  v[4] = _mm256_permute2f128_ps(s0, s4, 0x31), v[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  v[6] = _mm256_permute2f128_ps(s2, s6, 0x31), v[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

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
  // The last lanes through masked loads and stores (plane rows of 7, 14 or 28 positions).
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
  std::vector<std::uint32_t> w_raw;              // the same, words before the masks (transients)
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
  std::vector<char> raw_cols;                    // [col]: psum flips hit the column (w_raw holds its words)
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

template <DataType T>
class FloatConv {
 public:
  FloatConv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
            const ErrorPattern& pattern, const float* input, const float* weights, const std::uint16_t* input_words,
            const std::uint16_t* weight_words, const ConvRegion* region, Tensor& out, int threads);
  void run(int threads);

 private:
  using D = Datapath<T>;
  // The register word of an operand value (fp16: the decode's exact inverse, so flipped
  // sums and masked inputs need no laid-out words).
  static std::uint32_t word_of(float v) {
    if constexpr (T == DataType::bf16) return float_bits(v) >> 16;
    else if constexpr (T == DataType::fp16) return cs::fp16_word(v);
    else return float_bits(v);
  }
  std::size_t entry(int g, int b, int rs, int col) const {
    return ((static_cast<std::size_t>(g) * blocks_ + b) * RS_ + rs) * cols_ + col;
  }
  void plan_tables(const Mapping& mapping);
  void plan_masks();
  void plan_batches();
  void plan_busy_rows();
  void plan_weights(const float* weights, const std::uint16_t* weight_words, int threads);
  bool idle_product_zero(std::size_t pe) const;
  void plan_zero_rows();
  void plan_plain();
  // The registers and kernels of columns [c0, c1) (disjoint entries: threads may share a job).
  void plan_columns(const float* weights, const std::uint16_t* weight_words, bool flips, int c0, int c1);
  const Kernels& kernels_of(std::vector<Kernels>& kernels, int reads, bool masked, bool exact, bool psum_masked) const;
  void plan_column(const float* weights, const std::uint16_t* weight_words, bool flips, const BlockRows& br, int g,
                   int b, int col, int oc, std::vector<Kernels>& kernels);
  PlainBlock plain_block(const BlockRows& br, bool flips, std::vector<Kernels>& kernels) const;
  void plain_column(const float* weights, const std::uint16_t* weight_words, const PlainBlock& pb, int g, int b,
                    int col, int oc);
  void consecutive_block(const float* weights, const std::uint16_t* weight_words, const PlainBlock& pb, int first,
                         int g, int b, int c0, int c1);
  void set_kernels(int g, int b, int col, cs::AccumulateFn fused, cs::AccumulateFn exact);
  static void consecutive_registers(const float* weights, const std::uint16_t* weight_words, long long first, int n,
                                    float* w0);
  void weight_registers(const float* weights, const std::uint16_t* weight_words, const std::vector<int>& row_ch,
                        int g, int b, int col, int oc, bool every_row, int end);
  void weight_group(const float* weights, const std::uint16_t* weight_words, const std::vector<int>& row_ch, int r8,
                    int n, int col, int oc, float* w0, std::uint32_t* raw0) const;
  static __m256i row_words(const float* weights, const std::uint16_t* weight_words, long long first, int rs, int len);
  __m256i position_words(const float* weights, const std::uint16_t* weight_words, const std::vector<int>& row_ch,
                         int r8, int n, int oc) const;
  // Chunks [begin, end); each group's live columns cut into `parts` slices, this call
  // computing slice `part` (a job of few chunks splits its columns over threads).
  void chunks(long long begin, long long end, int part, int parts, Scratch& sc) const;
  void lay_out_images(long long chunk, Scratch& sc) const;
  void plan_chunk(long long chunk, int g0, int g1, Scratch& sc) const;
  void chunk_groups(long long chunk, int g0, int g1, Scratch& sc) const;
  // Column col of group g (accumulator slot `slot`) through the steps of blocks [b0, b1)
  // in order, step i's operands at x + offsets[i] (i counted from block b0's first).
  void column_steps(int g, int col, std::size_t slot, int b0, int b1, const float* x, const std::ptrdiff_t* offsets,
                    int count, Scratch& sc) const;
  void gather(long long chunk, std::size_t block, int rs, Scratch& sc) const;
  void clear_idle(const std::vector<int>& row_ch, Scratch& sc) const;
  column_sums::ColumnInput column_input(std::size_t at, int col, Scratch& sc) const;
  void exact_step(long long chunk, int count, std::size_t at, int col, bool first, const PsumFlips* const* pf,
                  const PsumFlips* const* pf_end, float* e, Scratch& sc) const;
  void exact_kernel_step(long long chunk, int count, std::size_t at, int col, bool first,
                         const PsumFlips* const* pf, const PsumFlips* const* pf_end, float* e, Scratch& sc) const;
  float flipped_sum(long long chunk, std::size_t at, const PsumFlips& f, Scratch& sc) const;
  void stuck_entries(long long chunk, int count, int col, float* e) const;
  static bool flips_column(const PsumFlips* const* f, const PsumFlips* const* end, int col);
  void column_leaves(const column_sums::ColumnInput& in, int col, int count, Scratch& sc) const;
  void acc_flips(long long chunk, int col, const AccumulatorFlip* const* f, const AccumulatorFlip* const* end,
                 float* e) const;
  void scatter(long long chunk, int count, int g, std::size_t slot0, const Scratch& sc) const;
  // One-row jobs (kernels/one_row_sums.h): the batches whose every column may take the
  // one-row path, and that path for one chunk.
  void plan_one_row();
  bool one_row_column(int row, int col) const;
  bool one_row_chunk(std::size_t batch, long long chunk) const;
  void one_row_groups(long long chunk, std::size_t batch, Scratch& sc) const;
  // Column col of group g over `count` lanes from the taps (offsets: one per step).
  void one_row_chain(int g, int col, int row, const float* taps, const std::uint16_t* tap_words,
                    const std::ptrdiff_t* offsets, int count, float* acc) const;
  // Jobs of one-row groups with no transient flips: each image's laid-out plane read in
  // place (no chunks, no gathers), images split over threads; a region's selected planes
  // only.
  bool by_planes() const;
  void planes(int n0, int n1, Scratch& sc) const;
  // Whether plane (n, group g's column col) is computed (the region's, or every one).
  bool group_selected(int g) const;
  bool computes(int n, int g, int col) const;
  bool computes_image(int n) const;
  // Images [n0, n1) of the job through `part` (by_planes, by_bands), split over threads.
  void over_images(int threads, void (FloatConv::*part)(int, int, Scratch&) const) const;
  // Output rows [p0, p0 + rows) of plane (n, g, col) from lanes p * ws + q of `from`
  // (canonical: NaNs made canonical on the way, as for fused columns).
  void plane_outputs(int n, int g, int col, int p0, int rows, const float* from, bool canonical) const;
  // Multi-row regions with no transient flips (below): each selected image a band of
  // output rows at a time, every input row a band reads copied once per block, each
  // step's operands read in place at its kernel position's offset.
  int band_rows() const;
  bool by_bands() const;
  void bands(int n0, int n1, Scratch& sc) const;
  template <class Keep>
  bool live_columns(std::size_t batch, int part, int parts, Keep keep, Scratch& sc) const;
  void fill_band(const float* image, std::size_t block, int p0, int rows, Scratch& sc) const;
  void band_groups(const float* image, int n, int p0, int rows, std::size_t batch, Scratch& sc) const;
  // Slot kernels (kernels/slot_sums.h): the fused columns of a batch computed a position
  // at a time across its output channels, the other columns left to chunk_groups.
  void plan_slots();
  SlotCount slot_count(std::size_t batch, int used) const;
  bool slot_estimate(std::size_t batch, const SlotCount& n) const;
  bool slot_column(int col, int used) const;
  unsigned masked_rows(int col, const std::vector<StuckMask>& masks) const;
  static bool few_flips(const PsumFlips* const* f, const PsumFlips* const* end, int col);
  void slot_chunk(long long chunk, std::size_t batch, Scratch& sc) const;
  void slot_flips(long long chunk, int g0, int stride, Scratch& sc) const;
  float slot_lane(long long chunk, int g, int col, long long pixel, const PsumFlips* const* pf,
                  const PsumFlips* const* pf_end, Scratch& sc) const;
  void slot_tables(std::size_t batch, int stride, Scratch& sc) const;
  void slot_step_weights(std::size_t step, int used, int stride, Scratch& sc) const;
  void slot_masks(int stride, Scratch& sc) const;
  void slot_outputs(long long chunk, int count, int stride, Scratch& sc) const;

  const ConvShape& s_;
  const ArrayConfig& a_;
  const PeFaults& faults_;
  const ConvRegion* region_;
  Tensor& out_;
  const int rows_, cols_, RS_, groups_, blocks_;
  const long long M_, chunks_, PQ_;
  const Selection sel_;
  const OperandLayout layout_;
  const ChunkSegments& segments_;
  const std::vector<PsumFlips>& pattern_psums_;
  const ChunkFlips<PsumFlips> psum_flips_;
  const ChunkFlips<AccumulatorFlip> acc_flips_;
  bool need_words_ = false;          // fp16: a one-row path reads input words (laid out)
  std::vector<char> word_rows_;      // fp16: [row] some PE of the row has an input mask (reads the words)
  std::vector<char> word_channels_;  // fp16: [ic] a word row serves it (laid out for one-row paths)
  const float* input_;                  // [n, c, h, w] operand values
  const std::uint16_t* input_words_;    // fp16: the words
  const float* x_ = nullptr;            // channel-major layouts: the laid-out operand values
  const std::uint16_t* xw_ = nullptr;   // fp16: the laid-out words
  Plan& plan_ = Plan::of_this_thread();
  MappingTables& tables_;
  std::vector<long long>& kernel_offset_ = plan_.kernel_offset;
  std::vector<std::vector<int>>& col_ch_ = tables_.col_ch;
  std::vector<std::vector<int>>& busy_ = tables_.busy;
  std::vector<std::vector<int>>& row_ch_ = tables_.row_ch;
  std::vector<float>& w_reg_ = plan_.w_reg;
  std::vector<const float*>& w_at_ = plan_.w_at;
  std::vector<std::uint32_t>& w_raw_ = plan_.w_raw;
  std::vector<cs::AccumulateFn>& fused_ = plan_.fused;
  std::vector<cs::AccumulateFn>& exact_ = plan_.exact;
  std::vector<StuckMask>& im_ = plan_.im;
  std::vector<StuckMask>& pm_ = plan_.pm;
  std::vector<char>& col_masked_ = plan_.col_masked;
  std::vector<char>& psum_stuck_ = plan_.psum_stuck;
  const std::uint64_t* special(int col) const {
    return plan_.special.data() + static_cast<std::size_t>(col) * ((rows_ + 63) / 64);
  }
  const std::uint64_t* product_rows(int col) const {
    return plan_.products.data() + static_cast<std::size_t>(col) * ((rows_ + 63) / 64);
  }
  std::vector<std::vector<int>>& acc_slots_ = plan_.acc_slots;
  bool raw_ = false;  // w_raw_ holds this call's words (transient flips)
  cs::SumsFn sums_, masked_sums_;
  const bool exact_kernels_;  // the row count has exact vector kernels
  const bool folds_;          // the row count's kernels fold trailing idle rows (column_sums::folds_idle_rows)
  cs::LeavesFn leaves_;
  std::vector<std::pair<int, int>>& batches_ = tables_.batches;  // groups [g0, g1) computed together
  std::vector<int> one_row_;                  // [batch]: the one row its groups use, -1: the general path
  std::vector<std::ptrdiff_t> tap_rows_;      // [rs]: rs * kRowStride (a chunk's gathered taps)
  std::vector<std::ptrdiff_t> tap_plane_;     // [rs]: the kernel position's offset in a laid-out image
  std::vector<int> slot_used_;                // [batch]: the fewest busy rows of its blocks; 0: no slot kernels
  std::vector<char> slot_cols_;               // [col]: the slot kernels can compute it (slot_column)
  const unsigned long long job_;              // this call's number (a thread's slot tables name the job they hold)
};

// Numbers the calls of float_conv (FloatConv::job_).
unsigned long long next_job() {
  static std::atomic<unsigned long long> jobs{0};
  return ++jobs;
}

template <DataType T>
FloatConv<T>::FloatConv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                        const ErrorPattern& pattern, const float* input, const float* weights,
                        const std::uint16_t* input_words, const std::uint16_t* weight_words,
                        const ConvRegion* region, Tensor& out, int threads)
    : s_(job.shape),
      a_(a),
      faults_(faults),
      region_(region),
      out_(out),
      rows_(a.atomic_c),
      cols_(a.atomic_k),
      RS_(job.shape.r * job.shape.s),
      groups_(mapping.groups()),
      blocks_(mapping.blocks()),
      M_(job.shape.pixels()),
      chunks_((M_ + kChunk - 1) / kChunk),
      PQ_(static_cast<long long>(job.shape.p()) * job.shape.q()),
      sel_(select_region(job.shape, a, region)),
      layout_(job.shape),
      segments_(cached_chunk_segments(job.shape, layout_)),
      pattern_psums_(pattern.psums),
      psum_flips_(pattern.psums),
      acc_flips_(pattern.accumulator),
      input_(input),
      input_words_(input_words),
      tables_(plan_.tables_for(mapping.key())),
      sums_(cs::sums_fn(a.atomic_c, false)),
      masked_sums_(cs::sums_fn(a.atomic_c, true)),
      exact_kernels_(cs::exact_accumulate_fn(a.atomic_c, a.atomic_c, false) != nullptr),
      folds_(cs::folds_idle_rows(a.atomic_c)),
      leaves_(cs::masked_leaves_fn(T)),
      job_(next_job()) {
  plan_tables(mapping);
  kernel_offset_.clear();
  tap_rows_.reserve(static_cast<std::size_t>(RS_));  // one allocation each, not one per doubling (PVF jobs)
  tap_plane_.reserve(static_cast<std::size_t>(RS_));
  for (int rs = 0; rs < RS_; ++rs) {
    kernel_offset_.push_back(layout_.kernel_offset(rs / s_.s, rs % s_.s));
    tap_rows_.push_back(static_cast<std::ptrdiff_t>(rs) * cs::kRowStride);
    tap_plane_.push_back(static_cast<std::ptrdiff_t>(kernel_offset_.back()));
  }
  plan_masks();
  plan_weights(weights, weight_words, threads);
  plan_one_row();
  plan_slots();
  // The general path takes fp16 input words from the operand values (word_of): only
  // one-row paths on an input-masked row read laid-out words.
  need_words_ = need_words_ && std::any_of(one_row_.begin(), one_row_.end(),
                                           [&](int row) { return row >= 0 && word_rows_[row]; });
  word_channels_.assign(static_cast<std::size_t>(s_.c), 0);
  for (int row = 0; need_words_ && row < rows_; ++row)  // only fp16 input masks read words
    if (word_rows_[row])
      for (const std::vector<int>& rows : row_ch_)
        if (rows[row] >= 0) word_channels_[static_cast<std::size_t>(rows[row])] = 1;
  if (layout_.by_image) return;  // each worker lays out the images of its chunks as it reaches them
  // A channel-major operand, laid out once per call in the calling thread's buffers
  // (workers read them).
  thread_local std::vector<float> laid;
  thread_local std::vector<std::uint16_t> laid_words;
  const std::vector<char> images = sel_.images_read(s_);
  laid.resize(layout_.size());
  lay_out(s_, layout_, input, &images, laid.data());
  x_ = laid.data();
  if (need_words_) {
    laid_words.resize(layout_.size());
    lay_out(s_, layout_, input_words, &images, laid_words.data());
    xw_ = laid_words.data();
  }
}

// The channel of every column and row of every group and block, the batches and their
// busy rows: a job of one of the thread's last 8 mappings (Plan::tables_for) keeps them.
template <DataType T>
void FloatConv<T>::plan_tables(const Mapping& mapping) {
  if (tables_.key == mapping.key()) return;
  col_ch_.resize(static_cast<std::size_t>(groups_));
  row_ch_.resize(static_cast<std::size_t>(groups_) * blocks_);
  for (int g = 0; g < groups_; ++g) {
    mapping.cols_to_channels(g, col_ch_[g]);
    for (int b = 0; b < blocks_; ++b) mapping.rows_to_channels(g, b, row_ch_[g * blocks_ + b]);
  }
  tables_.block_rows.clear();
  for (const std::vector<int>& rows : row_ch_) tables_.block_rows.push_back(block_rows(rows, rows_));
  plan_batches();
  plan_busy_rows();
  tables_.key = mapping.key();
}

// Input and product masks per PE; only columns with a non-identity one pay for them.
// The masked PEs, and the columns with a weight stuck-at, come from the fault list: a
// job on a large array pays per fault, not per PE.
template <DataType T>
void FloatConv<T>::plan_masks() {
  // Identity everywhere: only the entries the last call set are reset (a job pays per
  // fault, not per PE).
  const std::size_t pes = static_cast<std::size_t>(rows_) * cols_;
  if (im_.size() != pes) {
    im_.assign(pes, StuckMask{}), pm_.assign(pes, StuckMask{});
  } else {
    for (const std::size_t pe : plan_.masked_pes) im_[pe] = pm_[pe] = StuckMask{};
  }
  plan_.masked_pes.clear();
  col_masked_.assign(cols_, 0);
  plan_.col_products.assign(cols_, 0);
  psum_stuck_.assign(cols_, 0);
  plan_.psum_masked.assign(cols_, 0);
  plan_.weight_stuck.assign(cols_, 0);
  word_rows_.assign(rows_, 0);
  acc_slots_.resize(static_cast<std::size_t>(cols_));
  for (auto& slots : acc_slots_) slots.clear();
  const std::size_t words = static_cast<std::size_t>(rows_ + 63) / 64;
  plan_.special.assign(words * cols_, 0);
  plan_.products.assign(words * cols_, 0);
  for (const HardwareFault& f : faults_.faults()) {
    if (!f.permanent()) continue;
    if (f.site == FaultSite::weight) plan_.weight_stuck[f.col] = 1;
    if (f.site != FaultSite::input && f.site != FaultSite::product) continue;
    const int row = f.row, col = f.col;
    StuckMask in = faults_.input(row, col);
    if constexpr (T == DataType::bf16) in = {(in.keep << 16) | 0xffffu, in.force << 16};  // on the fp32 view
    plan_.masked_pes.push_back(static_cast<std::size_t>(col) * rows_ + row);
    im_[col * rows_ + row] = in;
    pm_[col * rows_ + row] = faults_.product(row, col);
    word_rows_[row] |= !in.identity();
    if (in.identity() && pm_[col * rows_ + row].identity()) continue;
    col_masked_[col] = 1;
    plan_.special[col * words + row / 64] |= std::uint64_t{1} << (row % 64);
    if (pm_[col * rows_ + row].identity()) continue;
    plan_.products[col * words + row / 64] |= std::uint64_t{1} << (row % 64);
    plan_.col_products[col] = 1;
  }
  for (int col = 0; col < cols_; ++col) {
    psum_stuck_[col] = !faults_.psum(col).identity();
    // One step: the output is the masked sum itself (a NaN's bits observed), not a canonical accumulation.
    plan_.psum_masked[col] =
        psum_stuck_[col] && exact_kernels_ && blocks_ * RS_ > 1 && cs::keeps_nans(faults_.psum(col));
    if (faults_.any_stuck(FaultSite::accumulator))
      for (int slot = 0; slot < a_.stripe_length; ++slot)
        if (!faults_.accumulator(slot, col).identity()) acc_slots_[col].push_back(slot);
  }
  // fp16: input masks act on the input words (flipped sums take theirs from the values).
  need_words_ = T == DataType::fp16 && std::find(word_rows_.begin(), word_rows_.end(), 1) != word_rows_.end();
}

// The weight registers of every step, [col][row] through their stuck-at masks, and the
// fused kernel of each column: idle trailing rows skipped when their products are +0.
// Only the registers a kernel reads are written (idle rows only for the kernels that
// read every row); columns no chunk computes get none.
template <DataType T>
void FloatConv<T>::plan_weights(const float* weights, const std::uint16_t* weight_words, int threads) {
  const std::size_t entries = static_cast<std::size_t>(groups_) * blocks_ * RS_ * cols_;
  if (w_reg_.size() < entries * rows_) w_reg_.resize(entries * rows_);
  if (w_at_.size() < entries) w_at_.resize(entries);
  raw_ = !psum_flips_.empty();
  if (raw_ && w_raw_.size() < entries * rows_) w_raw_.resize(entries * rows_);
  plan_.raw_cols.assign(cols_, 0);
  plan_.raw_rows.assign(cols_, 0);
  for (const PsumFlips& f : pattern_psums_) {
    plan_.raw_cols[f.at.col] = 1;
    int& last = plan_.raw_rows[f.at.col];
    for (const auto* flips : {&f.weight, &f.input, &f.product})
      for (const RowFlip& x : *flips) last = std::max(last, x.row + 1);
  }
  if (raw_) plan_.reads.resize(entries / RS_);
  fused_.assign(entries, nullptr);
  exact_.assign(entries, nullptr);
  // Only columns with a weight stuck-at read wm and idle (the rest: identity, word 0 is
  // +0 in every format).
  const std::size_t pes = static_cast<std::size_t>(rows_) * cols_;
  if (plan_.idle.size() != pes) {
    plan_.idle.assign(pes, 0.0f);
  } else {  // +0 everywhere: only the columns the last call set are reset
    for (const int col : plan_.idle_cols)
      std::fill_n(plan_.idle.begin() + static_cast<std::ptrdiff_t>(col) * rows_, rows_, 0.0f);
  }
  plan_.idle_cols.clear();
  plan_.wm.resize(pes);
  for (int col = 0; col < cols_; ++col)
    if (plan_.weight_stuck[col]) {
      plan_.idle_cols.push_back(col);
      for (int row = 0; row < rows_; ++row) {
        const StuckMask m = faults_.weight(row, col);
        plan_.wm[col * rows_ + row] = m;
        plan_.idle[col * rows_ + row] = register_float(T, m.apply(0u));
      }
    }
  plan_zero_rows();
  plan_plain();
  const bool flips = !psum_flips_.empty() || !acc_flips_.empty();
  // Backward-weight jobs hold dY as weights: hundreds of thousands of registers, planned
  // by column slices side by side.
  const int parts = threads > 1 && s_.macs() >= kSplitMacs && entries * rows_ >= kSplitRegisters
                        ? std::min(threads, cols_) : 1;
  const auto slice = [&](int i) {
    plan_columns(weights, weight_words, flips, cols_ * i / parts, cols_ * (i + 1) / parts);
  };
  if (parts > 1)
    run_parts(parts, slice);
  else
    slice(0);
}

// An idle row's product is weight x (+0): +0 exactly when the weight register holds a
// finite value with the sign bit clear (a stuck-at may have set bits) and the PE has no
// input or product mask.
template <DataType T>
bool FloatConv<T>::idle_product_zero(std::size_t pe) const {
  const std::uint32_t wb = float_bits(plan_.idle[pe]);
  return !(wb & 0x80000000u) && (wb & 0x7f800000u) != 0x7f800000u && im_[pe].identity() && pm_[pe].identity();
}

// Only a PE with a permanent weight, input or product fault can fail idle_product_zero
// (every other idle register holds word 0, every other mask is identity): rows from
// 1 + the last such row on pass.
template <DataType T>
void FloatConv<T>::plan_zero_rows() {
  plan_.zero_from.assign(cols_, 0);
  for (const HardwareFault& f : faults_.faults()) {
    if (!f.permanent() || (f.site != FaultSite::weight && f.site != FaultSite::input && f.site != FaultSite::product))
      continue;
    if (!idle_product_zero(static_cast<std::size_t>(f.col) * rows_ + f.row))
      plan_.zero_from[f.col] = std::max(plan_.zero_from[f.col], f.row + 1);
  }
}

// The columns planned the common way (plain_column): no input or product mask, no psum,
// accumulator or weight stuck-at, idle rows of +0 products, no psum flips (no raw words).
template <DataType T>
void FloatConv<T>::plan_plain() {
  plan_.plain.assign(static_cast<std::size_t>(cols_), 0);
  for (int col = 0; col < cols_; ++col)
    plan_.plain[col] = !col_masked_[col] && !psum_stuck_[col] && acc_slots_[col].empty() && !plan_.weight_stuck[col] &&
                       plan_.zero_from[col] == 0 && !plan_.raw_cols[col];
  plan_.all_plain = std::find(plan_.plain.begin(), plan_.plain.end(), 0) == plan_.plain.end();
}

template <DataType T>
void FloatConv<T>::plan_columns(const float* weights, const std::uint16_t* weight_words, bool flips, int c0, int c1) {
  std::vector<Kernels> kernels(2 * static_cast<std::size_t>(rows_ + 1));
  for (int g = 0; g < groups_; ++g) {
    if (region_ && !region_->groups.empty() && !region_->groups[static_cast<std::size_t>(g)]) continue;
    const int* col_ch = col_ch_[g].data();
    const char* col_any = sel_.col_any.data();
    const char* plain = plan_.plain.data();
    for (int b = 0; b < blocks_; ++b) {
      const BlockRows& br = tables_.block_rows[static_cast<std::size_t>(g) * blocks_ + b];
      const PlainBlock pb = plain_block(br, flips, kernels);
      if (pb.consecutive) consecutive_block(weights, weight_words, pb, br.first_channel, g, b, c0, c1);
      if (pb.consecutive && plan_.all_plain) continue;
      for (int col = c0; col < c1; ++col) {
        const int oc = col_ch[col];
        if (oc < 0 || !col_any[col] || (plain[col] && pb.consecutive)) continue;  // no chunk computes it, or planned
        if (plain[col])
          plain_column(weights, weight_words, pb, g, b, col, oc);
        else
          plan_column(weights, weight_words, flips, br, g, b, col, oc, kernels);
      }
    }
  }
}

// The kernels of a column reading `reads` rows, looked up once per call (fully-connected
// jobs plan thousands of (group, block, column) steps of one register row each).
template <DataType T>
const Kernels& FloatConv<T>::kernels_of(std::vector<Kernels>& kernels, int reads, bool masked, bool exact,
                                        bool psum_masked) const {
  Kernels& k = kernels[static_cast<std::size_t>(reads) * 2 + masked];
  if (!k.fused) k.fused = cs::accumulate_fn(rows_, reads, masked);
  if (exact && !k.exact) k.exact = cs::exact_accumulate_fn(rows_, reads, masked);
  if (psum_masked && !k.masked) k.masked = cs::masked_accumulate_fn(rows_, reads, masked);
  return k;
}

// Column col's registers and kernels of every step of block b of group g.
template <DataType T>
void FloatConv<T>::plan_column(const float* weights, const std::uint16_t* weight_words, bool flips,
                               const BlockRows& br, int g, int b, int col, int oc, std::vector<Kernels>& kernels) {
  const bool idle_zero = br.trailing_idle && br.used >= plan_.zero_from[col];
  // The exact kernels fold idle rows as the fused ones; exact_step reads every row
  // (only where the row count has no vector tree: folds_idle_rows is false).
  // (Masked rows are used rows when idle_zero holds: idle ones have identity masks.)
  const bool every_row = !idle_zero || !folds_;
  const int reads = idle_zero ? br.used : rows_;
  const bool exact = flips || psum_stuck_[col] || !acc_slots_[col].empty();
  const Kernels& k = kernels_of(kernels, reads, col_masked_[col] != 0, exact, plan_.psum_masked[col]);
  if (raw_) plan_.reads[(static_cast<std::size_t>(g) * blocks_ + b) * cols_ + col] = reads;
  weight_registers(weights, weight_words, row_ch_[g * blocks_ + b], g, b, col, oc, every_row,
                   br.trailing_idle ? br.used : rows_);
  set_kernels(g, b, col, plan_.psum_masked[col] ? k.masked : k.fused, exact ? k.exact : nullptr);
}

// What plan_column gives a block's plain columns (plan_plain: idle rows give +0 products,
// no masks, no flipped words), worked out once per block.
template <DataType T>
PlainBlock FloatConv<T>::plain_block(const BlockRows& br, bool flips, std::vector<Kernels>& kernels) const {
  PlainBlock pb;
  pb.reads = br.trailing_idle ? br.used : rows_;
  pb.rows = br.trailing_idle && folds_ ? br.used : rows_;  // the registers a kernel reads
  const Kernels& k = kernels_of(kernels, pb.reads, false, flips, false);
  pb.fused = k.fused, pb.exact = flips ? k.exact : nullptr;
  pb.consecutive = RS_ == 1 && br.first_channel >= 0 && pb.rows == br.used;
  return pb;
}

// plan_column for a plain column.
template <DataType T>
void FloatConv<T>::plain_column(const float* weights, const std::uint16_t* weight_words, const PlainBlock& pb, int g,
                                int b, int col, int oc) {
  if (raw_) plan_.reads[(static_cast<std::size_t>(g) * blocks_ + b) * cols_ + col] = pb.reads;
  weight_registers(weights, weight_words, row_ch_[g * blocks_ + b], g, b, col, oc, pb.rows == rows_, pb.rows);
  set_kernels(g, b, col, pb.fused, pb.exact);
}

// The plain columns of block b of group g in columns [c0, c1) when its rows serve
// consecutive channels from `first` (pb.consecutive, one kernel position): each
// column's registers are one run of its weights.
template <DataType T>
void FloatConv<T>::consecutive_block(const float* weights, const std::uint16_t* weight_words, const PlainBlock& pb,
                                     int first, int g, int b, int c0, int c1) {
  const std::size_t at0 = entry(g, b, 0, 0);  // column col's entry: at0 + col
  const int* col_ch = col_ch_[g].data();
  const char* col_any = sel_.col_any.data();
  const char* plain = plan_.plain.data();
  float* w = w_reg_.data() + at0 * rows_;
  const float** w_at = w_at_.data() + at0;
  cs::AccumulateFn* fused = fused_.data() + at0;
  cs::AccumulateFn* exact = exact_.data() + at0;
  int* reads = raw_ ? plan_.reads.data() + (static_cast<std::size_t>(g) * blocks_ + b) * cols_ : nullptr;
  const long long channels = s_.c;
  const int rows = pb.rows, stride = rows_;
  for (int col = c0; col < c1; ++col) {
    const int oc = col_ch[col];
    if (oc < 0 || !col_any[col] || !plain[col]) continue;
    float* registers = w + static_cast<std::size_t>(col) * stride;
    // fp32 registers are the weights' bits: the kernels read the weights in place.
    if constexpr (T == DataType::fp32)
      w_at[col] = weights + oc * channels + first;
    else
      w_at[col] = registers, consecutive_registers(weights, weight_words, oc * channels + first, rows, registers);
    fused[col] = pb.fused, exact[col] = pb.exact;
    if (reads) reads[col] = pb.reads;
  }
}

template <DataType T>
void FloatConv<T>::set_kernels(int g, int b, int col, cs::AccumulateFn fused, cs::AccumulateFn exact) {
  for (int rs = 0; rs < RS_; ++rs) {
    const std::size_t at = entry(g, b, rs, col);
    fused_[at] = fused;
    exact_[at] = exact;
    w_at_[at] = &w_reg_[at * rows_];
  }
}

// Registers [0, n) of an unmasked column whose rows serve the consecutive weights from
// `first` (one kernel position): what weight_group stores for them, a vector at a time.
template <DataType T>
void FloatConv<T>::consecutive_registers(const float* weights, const std::uint16_t* weight_words, long long first,
                                         int n, float* w0) {
  namespace rv = register_vectors;
  for (int r8 = 0; r8 < n; r8 += 8) {
    const int len = std::min(8, n - r8);
    const __m256 v = rv::floats_of<T>(row_words(weights, weight_words, first + r8, 0, len));
    if (len == 8)
      _mm256_storeu_ps(w0 + r8, v);
    else
      _mm256_maskstore_ps(w0 + r8, rv::first_lanes(len), v);
  }
}

// One column's weight registers of every step of block b: rows [0, end) (the rest are
// idle), idle rows too with every_row; a column with psum flips also holds the raw
// words of those rows and of every row its flips hit (flipped_sum reads no others);
// eight rows at a time (the last group partial).
template <DataType T>
void FloatConv<T>::weight_registers(const float* weights, const std::uint16_t* weight_words,
                                    const std::vector<int>& row_ch, int g, int b, int col, int oc, bool every_row,
                                    int end) {
  float* w0 = &w_reg_[entry(g, b, 0, col) * rows_];
  std::uint32_t* raw0 = raw_ && plan_.raw_cols[col] ? &w_raw_[entry(g, b, 0, col) * rows_] : nullptr;
  const int rows = every_row ? rows_ : std::max(end, raw0 ? plan_.raw_rows[col] : 0);
  for (int r8 = 0; r8 < rows; r8 += 8)
    weight_group(weights, weight_words, row_ch, r8, std::min(8, rows - r8), col, oc, w0, raw0);
}

// The register words of kernel positions [rs, rs + len) (len <= 8) of the row whose
// weights start at `first` (-1: an idle row, which holds word 0), one per lane.
template <DataType T>
__m256i FloatConv<T>::row_words(const float* weights, const std::uint16_t* weight_words, long long first, int rs,
                                int len) {
  namespace rv = register_vectors;
  if (first < 0) return _mm256_setzero_si256();
  if constexpr (T == DataType::fp16) {
    const std::uint16_t* from = weight_words + first + rs;
    if (len == 8) return rv::fp16_words(from);
    std::uint16_t part[8] = {};  // a row's last positions: never read past its end
    std::copy(from, from + len, part);
    return rv::fp16_words(part);
  } else {
    const float* from = weights + first + rs;
    return rv::words_of<T>(len == 8 ? _mm256_loadu_ps(from) : _mm256_maskload_ps(from, rv::first_lanes(len)));
  }
}

// One kernel position's words of rows [r8, r8 + n) (fully-connected jobs): one load
// when the rows' channels are consecutive.
template <DataType T>
__m256i FloatConv<T>::position_words(const float* weights, const std::uint16_t* weight_words,
                                     const std::vector<int>& row_ch, int r8, int n, int oc) const {
  const long long base = static_cast<long long>(oc) * s_.c;
  const int ic0 = row_ch[r8];
  bool consecutive = ic0 >= 0;
  for (int i = 1; i < n && consecutive; ++i) consecutive = row_ch[r8 + i] == ic0 + i;
  if (consecutive) return row_words(weights, weight_words, base + ic0, 0, n);
  alignas(32) std::uint32_t words[8] = {};
  for (int i = 0; i < n; ++i) {
    const int ic = row_ch[r8 + i];
    if (ic < 0) continue;
    if constexpr (T == DataType::fp16) words[i] = weight_words[base + ic];
    else words[i] = word_of(weights[base + ic]);
  }
  return _mm256_load_si256(reinterpret_cast<const __m256i*>(words));
}

// Rows [r8, r8 + n) (n <= 8) of one column, every kernel position: eight positions of
// each row loaded, transposed to eight rows per position (bits moved, never computed
// on), masked and converted by vector (kernels/register_vectors.h: the scalar path's
// bits), stored under a lane mask. An idle row's word 0 through its mask is the idle
// register (plan_.idle).
template <DataType T>
void FloatConv<T>::weight_group(const float* weights, const std::uint16_t* weight_words,
                                const std::vector<int>& row_ch, int r8, int n, int col, int oc, float* w0,
                                std::uint32_t* raw0) const {
  namespace rv = register_vectors;
  const bool stuck = plan_.weight_stuck[col];
  __m256i keep = _mm256_set1_epi32(-1), force = _mm256_setzero_si256();
  if (stuck) {  // wm is filled only there
    alignas(32) std::uint32_t k[8], f[8];
    for (int i = 0; i < 8; ++i) {
      const StuckMask m = i < n ? plan_.wm[static_cast<std::size_t>(col) * rows_ + r8 + i] : StuckMask{};
      k[i] = m.keep, f[i] = m.force;
    }
    keep = _mm256_load_si256(reinterpret_cast<const __m256i*>(k));
    force = _mm256_load_si256(reinterpret_cast<const __m256i*>(f));
  }
  const __m256i lanes = rv::first_lanes(n);
  const auto store = [&](std::size_t at, __m256i words) {
    if (raw0) _mm256_maskstore_epi32(reinterpret_cast<int*>(raw0 + at), lanes, words);
    _mm256_maskstore_ps(w0 + at, lanes, rv::floats_of<T>(stuck ? rv::apply(words, keep, force) : words));
  };
  if (RS_ == 1) return store(static_cast<std::size_t>(r8), position_words(weights, weight_words, row_ch, r8, n, oc));
  const std::size_t step = static_cast<std::size_t>(cols_) * rows_;  // between kernel positions' registers
  long long first[8];
  for (int i = 0; i < 8; ++i) {
    const int ic = i < n ? row_ch[r8 + i] : -1;
    first[i] = ic < 0 ? -1 : (static_cast<long long>(oc) * s_.c + ic) * RS_;
  }
  for (int rs = 0; rs < RS_; rs += 8) {
    const int len = std::min(8, RS_ - rs);
    __m256 v[8];
    for (int i = 0; i < 8; ++i) v[i] = _mm256_castsi256_ps(row_words(weights, weight_words, first[i], rs, len));
    transpose8(v);
    for (int j = 0; j < len; ++j) store(static_cast<std::size_t>(rs + j) * step + r8, _mm256_castps_si256(v[j]));
  }
}

// Consecutive groups whose rows serve the same channels in every block, up to
// kBatchColumns columns together.
template <DataType T>
void FloatConv<T>::plan_batches() {
  const int most = std::max(1, kBatchColumns / cols_);
  batches_.clear();
  for (int g0 = 0; g0 < groups_;) {
    int g1 = g0 + 1;
    auto same_rows = [&](int g) {
      for (int b = 0; b < blocks_; ++b)
        if (row_ch_[g * blocks_ + b] != row_ch_[g0 * blocks_ + b]) return false;
      return true;
    };
    while (g1 < groups_ && g1 - g0 < most && same_rows(g1)) ++g1;
    batches_.push_back({g0, g1});
    g0 = g1;
  }
}

// The rows serving a channel in each block of each batch's first group (a batch's
// groups share them): the rows gather fills.
template <DataType T>
void FloatConv<T>::plan_busy_rows() {
  busy_.resize(row_ch_.size());
  for (const auto& [g0, g1] : batches_)
    for (int b = 0; b < blocks_; ++b) {
      const std::size_t block = static_cast<std::size_t>(g0) * blocks_ + b;
      busy_[block].clear();
      for (int row = 0; row < rows_; ++row)
        if (row_ch_[block][row] >= 0) busy_[block].push_back(row);
    }
}

// A batch takes the one-row path when its groups use one row (a single block, one
// channel) and each of its columns sums that row's product with idle leaves of exactly
// +0: every other PE of the column idle with a finite non-negative weight register and
// no input or product mask, no stuck accumulator entry (the vector trees' row counts
// only, where column_sums folds idle rows the same way).
template <DataType T>
void FloatConv<T>::plan_one_row() {
  one_row_.assign(batches_.size(), -1);
  if (blocks_ != 1 || rows_ < 2 || !cs::folds_idle_rows(rows_)) return;
  for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
    const auto [g0, g1] = batches_[batch];
    const std::vector<int>& row_ch = row_ch_[g0];  // the batch's groups share their rows
    const int used = static_cast<int>(std::count_if(row_ch.begin(), row_ch.end(), [](int ic) { return ic >= 0; }));
    if (used != 1) continue;
    const int row = static_cast<int>(std::find_if(row_ch.begin(), row_ch.end(), [](int ic) { return ic >= 0; }) -
                                     row_ch.begin());
    bool ok = true;
    for (int g = g0; g < g1 && ok; ++g)
      for (int col = 0; col < cols_ && ok; ++col) ok = col_ch_[g][col] < 0 || one_row_column(row, col);
    if (ok) one_row_[batch] = row;
  }
}

template <DataType T>
bool FloatConv<T>::one_row_column(int row, int col) const {
  if (!acc_slots_[col].empty()) return false;
  for (int other = 0; other < rows_; ++other) {
    if (other == row) continue;
    if (!idle_product_zero(static_cast<std::size_t>(col) * rows_ + other)) return false;
  }
  return true;
}

// Transient flips in the chunk take the general path (they recompute single sums).
template <DataType T>
bool FloatConv<T>::one_row_chunk(std::size_t batch, long long chunk) const {
  if (one_row_[batch] < 0) return false;
  for (int g = batches_[batch].first; g < batches_[batch].second; ++g) {
    const auto [pf, pf_end] = psum_flips_.of(g, chunk);
    const auto [af, af_end] = acc_flips_.of(g, chunk);
    if (pf != pf_end || af != af_end) return false;
  }
  return true;
}

// The whole accumulation of one chunk of one-row groups [g0, g1): the row's operand of
// every step gathered once, then each column's chain over the steps, then the outputs.
template <DataType T>
void FloatConv<T>::one_row_groups(long long chunk, std::size_t batch, Scratch& sc) const {
  const int count = static_cast<int>(std::min<long long>(kChunk, M_ - chunk * kChunk));
  const auto [g0, g1] = batches_[batch];
  const int row = one_row_[batch];
  const long long base = row_ch_[g0][row] * layout_.channel;
  const Segment* first = segments_.begin(chunk);
  const Segment* last = segments_.end(chunk);
  const std::size_t rows = static_cast<std::size_t>(RS_) * cs::kRowStride;
  sc.taps.grow(rows);
  const bool words = need_words_ && word_rows_[row];
  if (words && sc.tap_words.size() < rows) sc.tap_words.resize(rows);
  for (int rs = 0; rs < RS_; ++rs) {
    const std::size_t to = static_cast<std::size_t>(rs) * cs::kRowStride;
    gather_row((layout_.by_image ? sc.laid.data() : x_) + base + kernel_offset_[rs], first, last, sc.taps.data + to);
    if (words)
      gather_row((layout_.by_image ? sc.laid_words.data() : xw_) + base + kernel_offset_[rs], first, last,
                 sc.tap_words.data() + to);
  }
  for (int g = g0; g < g1; ++g)
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)]) {
      const std::size_t slot = static_cast<std::size_t>(g - g0) * cols_ + col;
      sc.exact[slot] = psum_stuck_[col] ? kFusedExact : kFused;
      one_row_chain(g, col, row, sc.taps.data, words ? sc.tap_words.data() : nullptr, tap_rows_.data(), count,
                   sc.acc.data + slot * kChunk);
    }
  for (int g = g0; g < g1; ++g) scatter(chunk, count, g, static_cast<std::size_t>(g - g0) * cols_, sc);
}

template <DataType T>
void FloatConv<T>::one_row_chain(int g, int col, int row, const float* taps, const std::uint16_t* tap_words,
                                const std::ptrdiff_t* offsets, int count, float* acc) const {
  namespace ors = one_row_sums;
  const std::size_t pe = static_cast<std::size_t>(col) * rows_ + row;
  float w[64];
  std::vector<float> long_w;  // kernels of more than 64 positions (backward-weight jobs)
  float* wr = RS_ <= 64 ? w : (long_w.resize(static_cast<std::size_t>(RS_)), long_w.data());
  for (int rs = 0; rs < RS_; ++rs) wr[rs] = w_at_[entry(g, 0, rs, col)][row];
  const ors::InputMask in = im_[pe].identity()       ? ors::InputMask::none
                            : T == DataType::fp16 ? ors::InputMask::fp16_word
                                                  : ors::InputMask::fp32_view;
  const ors::OneRowInput input{taps, tap_words, offsets, wr, RS_, im_[pe], pm_[pe], faults_.psum(col)};
  ors::one_row_fn(psum_stuck_[col], in, !pm_[pe].identity())(input, count, acc);
}

template <DataType T>
bool FloatConv<T>::by_planes() const {
  if (!psum_flips_.empty() || !acc_flips_.empty() || !layout_.by_image || s_.c != 1) return false;
  return std::all_of(one_row_.begin(), one_row_.end(), [](int row) { return row >= 0; });
}

template <DataType T>
bool FloatConv<T>::group_selected(int g) const {
  return !region_ || region_->groups.empty() || region_->groups[static_cast<std::size_t>(g)];
}

template <DataType T>
bool FloatConv<T>::computes(int n, int g, int col) const {
  return col_ch_[g][col] >= 0 && sel_.plane(n, col) && group_selected(g);
}

template <DataType T>
bool FloatConv<T>::computes_image(int n) const {
  for (int g = 0; g < groups_; ++g)
    for (int col = 0; col < cols_; ++col)
      if (computes(n, g, col)) return true;
  return false;
}

// Images [n0, n1): each laid out alone, then every computed column of every group over
// the image's positions p * ws + q (the plane's full rows: columns q >= Q are computed
// and dropped).
template <DataType T>
void FloatConv<T>::planes(int n0, int n1, Scratch& sc) const {
  const int P = s_.p(), Q = s_.q(), ws = layout_.ws;
  const int count = (P - 1) * ws + Q;
  // One image's layout at a time, in a buffer that stays in cache.
  const std::size_t one = static_cast<std::size_t>(layout_.image) + kSlack;
  if (sc.laid.size() < one) sc.laid.resize(one);
  if (need_words_ && sc.laid_words.size() < one) sc.laid_words.resize(one);
  sc.plane.grow(static_cast<std::size_t>(count) + 4 * cs::kLanes);
  for (int n = n0; n < n1; ++n) {
    if (!computes_image(n)) continue;
    lay_out_image_alone(s_, layout_, input_, n, sc.laid.data());
    if (need_words_) lay_out_image_alone(s_, layout_, input_words_, n, sc.laid_words.data(), &word_channels_);
    for (std::size_t batch = 0; batch < batches_.size(); ++batch)
      for (int g = batches_[batch].first; g < batches_[batch].second; ++g)
        for (int col = 0; col < cols_; ++col) {
          if (!computes(n, g, col)) continue;
          const int row = one_row_[batch];
          const bool words = need_words_ && word_rows_[row];
          one_row_chain(g, col, row, sc.laid.data(), words ? sc.laid_words.data() : nullptr, tap_plane_.data(), count,
                        sc.plane.data);
          plane_outputs(n, g, col, 0, P, sc.plane.data, !psum_stuck_[col]);
        }
  }
}

template <DataType T>
void FloatConv<T>::plane_outputs(int n, int g, int col, int p0, int rows, const float* from, bool canonical) const {
  const int Q = s_.q(), ws = layout_.ws;
  float* o = out_.data() + (static_cast<long long>(n) * s_.k + col_ch_[g][col]) * PQ_ + static_cast<long long>(p0) * Q;
  for (int p = 0; p < rows; ++p, from += ws, o += Q)
    if (canonical)
      copy_canonical(from, Q, o);
    else
      std::copy(from, from + Q, o);
}

template <DataType T>
void FloatConv<T>::over_images(int threads, void (FloatConv::*part)(int, int, Scratch&) const) const {
  const int t = threads > 1 && s_.macs() >= kSplitMacs ? std::min(threads, s_.n) : 1;
  thread_local Scratch own;
  if (t <= 1) return (this->*part)(0, s_.n, own);
  run_parts(t, [this, t, part](int i) {
    thread_local Scratch sc;
    (this->*part)(s_.n * i / t, s_.n * (i + 1) / t, sc);
  });
}

// Output rows a band holds: its input rows, (rows + R - 1) * ws operands of each input
// channel, fit one row of the column kernels (kRowStride) and its lanes (rows - 1) * ws +
// Q one chunk. 0: no band fits (or the layout has phases: stride > 1, or no planes).
template <DataType T>
int FloatConv<T>::band_rows() const {
  if (!layout_.by_image || layout_.stride != 1) return 0;
  const int ws = layout_.ws;
  const int rows = std::min({cs::kRowStride / ws - (s_.r - 1), (kChunk - s_.q()) / ws + 1, s_.p()});
  return std::max(rows, 0);
}

// A region with no transient flips whose columns step Fused or FusedExact (no stuck
// accumulator entry; a psum stuck-at where the row count has exact kernels), when its
// bands cost less than its chunks. Per image and kernel position, in vectors of one row
// summed: a chunk gathers each busy row (a segment per output row, about 7 vectors' cost
// each, plus its PQ / 8 vectors) and sums PQ / 8 vectors of each live column; a band
// sums its lanes (the columns q >= Q included) and copies each busy row once per block;
// each kernel call costs about kCall.
template <DataType T>
bool FloatConv<T>::by_bands() const {
  const int rows = band_rows();
  if (!region_ || !psum_flips_.empty() || !acc_flips_.empty() || rows < 1) return false;
  const long long P = s_.p(), Q = s_.q(), vectors = (P * Q + cs::kLanes - 1) / cs::kLanes;
  constexpr long long kCall = 12;  // a kernel call's own cost (setting up its input, the call)
  long long band_vectors = 0, bands = 0;
  for (long long p0 = 0; p0 < P; p0 += rows, ++bands)
    band_vectors += ((std::min<long long>(rows, P - p0) - 1) * layout_.ws + Q + cs::kLanes - 1) / cs::kLanes;
  long long chunk_cost = 0, band_cost = 0;
  for (const auto& [g0, g1] : batches_) {
    long long live = 0;
    for (int g = g0; g < g1; ++g)
      for (int col = 0; col < cols_; ++col) {
        if (col_ch_[g][col] < 0 || !sel_.col_any[col] || !group_selected(g)) continue;
        if (!acc_slots_[col].empty() || (psum_stuck_[col] && !exact_kernels_)) return false;
        ++live;
      }
    for (int b = 0; b < blocks_ && live > 0; ++b) {
      const long long busy = static_cast<long long>(busy_[static_cast<std::size_t>(g0) * blocks_ + b].size());
      chunk_cost += busy * (7 * P + vectors) + live * (busy * vectors + kCall * P * Q / kChunk);
      band_cost += live * (busy * band_vectors + kCall * bands);
    }
  }
  // Masked columns' leaves and the band loop cost more than the estimate says (campaign_bench
  // took more instructions with bands on a tie): bands only at half the chunks' cost.
  return 2 * band_cost <= chunk_cost;
}

// Images [n0, n1): each selected image laid out alone, then, batch by batch, its bands
// of output rows. Lanes are positions p * ws + q of the band (as in planes()): each
// lane's sums are those of its position in the chunk path, in the same order.
template <DataType T>
void FloatConv<T>::bands(int n0, int n1, Scratch& sc) const {
  sc.size_for(rows_, cols_);
  const std::size_t one = static_cast<std::size_t>(layout_.image) + kSlack;
  if (sc.laid.size() < one) sc.laid.resize(one);
  // Rows read past the last row's kRowStride by lanes q >= Q (dropped), whole vectors.
  const std::size_t band = static_cast<std::size_t>(rows_ + 1) * cs::kRowStride + kChunk;
  sc.band.grow(band);
  const int P = s_.p(), rows = band_rows();
  const bool in_place = s_.pad == 0;  // stride 1 unpadded: the operand is its own layout
  for (int n = n0; n < n1; ++n) {
    bool laid = false;
    for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
      const auto computed = [&](int g, int col) { return computes(n, g, col); };
      if (!live_columns(batch, 0, 1, computed, sc)) continue;
      if (!laid && !in_place) lay_out_image_alone(s_, layout_, input_, n, sc.laid.data());
      laid = true;
      const float* image = in_place ? input_ + static_cast<std::size_t>(n * layout_.image) : sc.laid.data();
      // No flips (by_bands): plan_chunk gives each column its Exactness whatever the chunk.
      plan_chunk(0, batches_[batch].first, batches_[batch].second, sc);
      for (int p0 = 0; p0 < P; p0 += rows) band_groups(image, n, p0, std::min(rows, P - p0), batch, sc);
    }
  }
}

// sc.live: per group of the batch, the columns keep(g, col) selects (slice `part` of
// `parts` of them); false: none.
template <DataType T>
template <class Keep>
bool FloatConv<T>::live_columns(std::size_t batch, int part, int parts, Keep keep, Scratch& sc) const {
  const auto [g0, g1] = batches_[batch];
  if (sc.live.size() < static_cast<std::size_t>(g1 - g0)) sc.live.resize(static_cast<std::size_t>(g1 - g0));
  bool any = false;
  for (int g = g0; g < g1; ++g) {
    std::vector<int>& live = sc.live[static_cast<std::size_t>(g - g0)];
    live.clear();
    for (int col = 0; col < cols_; ++col)
      if (keep(g, col)) live.push_back(col);
    if (parts > 1) keep_slice(live, part, parts);
    any = any || !live.empty();
  }
  return any;
}

// Row `row` of the band buffer: the input rows [p0, p0 + rows + R - 1) of the channel
// the row serves in `block` (+0 for idle rows), so that a step's operands are the
// buffer read at its kernel position's offset (masked leaves take fp16 words from the values).
template <DataType T>
void FloatConv<T>::fill_band(const float* image, std::size_t block, int p0, int rows, Scratch& sc) const {
  const std::vector<int>& row_ch = row_ch_[block];
  const long long from = static_cast<long long>(p0) * layout_.ws;
  const long long len = static_cast<long long>(rows + s_.r - 1) * layout_.ws;
  for (int row = 0; row < rows_; ++row) {
    const std::size_t to = static_cast<std::size_t>(row) * cs::kRowStride;
    if (row_ch[row] < 0) {
      std::fill_n(sc.band.data + to, cs::kRowStride, 0.0f);
      continue;
    }
    std::copy_n(image + row_ch[row] * layout_.channel + from, len, sc.band.data + to);
  }
}

// The whole accumulation of output rows [p0, p0 + rows) of image n in the batch's
// groups (the columns in sc.live, their Exactness in sc.exact), then their outputs.
// Columns never interact: each runs its steps in order, one column after another.
template <DataType T>
void FloatConv<T>::band_groups(const float* image, int n, int p0, int rows, std::size_t batch,
                               Scratch& sc) const {
  const auto [g0, g1] = batches_[batch];
  const int count = (rows - 1) * layout_.ws + s_.q();
  for (int b = 0; b < blocks_; ++b) {
    fill_band(image, static_cast<std::size_t>(g0) * blocks_ + b, p0, rows, sc);
    for (int g = g0; g < g1; ++g)
      for (const int col : sc.live[static_cast<std::size_t>(g - g0)])
        column_steps(g, col, static_cast<std::size_t>(g - g0) * cols_ + col, b, b + 1, sc.band.data,
                     tap_plane_.data(), count, sc);
  }
  for (int g = g0; g < g1; ++g)
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)]) {
      const std::size_t slot = static_cast<std::size_t>(g - g0) * cols_ + col;
      plane_outputs(n, g, col, p0, rows, sc.acc.data + slot * kChunk, sc.exact[slot] == kFused);
    }
}

template <DataType T>
void FloatConv<T>::column_steps(int g, int col, std::size_t slot, int b0, int b1, const float* x,
                                const std::ptrdiff_t* offsets, int count, Scratch& sc) const {
  const bool exact = sc.exact[slot] == kFusedExact, masked = col_masked_[col] != 0;
  cs::ColumnInput in = column_input(entry(g, b0, 0, col), col, sc);
  float* e = sc.acc.data + slot * kChunk;
  const std::size_t at0 = entry(g, b0, 0, col);  // step i's entry: at0 + i * cols_ (blocks follow each other)
  const int steps = (b1 - b0) * RS_;
  for (int i = 0; i < steps; ++i) {
    const std::size_t at = at0 + static_cast<std::size_t>(i) * cols_;
    in.x = x + offsets[i];
    in.w = w_at_[at];
    if (masked) ++sc.gathers, column_leaves(in, col, count, sc);  // new operands: new leaves
    (exact ? exact_[at] : fused_[at])(in, rows_, count, e, b0 == 0 && i == 0);
  }
}

template <DataType T>
void FloatConv<T>::run(int threads) {
  if (by_planes()) return over_images(threads, &FloatConv::planes);
  if (by_bands()) return over_images(threads, &FloatConv::bands);
  // Output positions never interact (each has its own accumulator entries and order of
  // additions), so any split over threads gives the same bits. Few chunks (backward-
  // weight jobs: a few output positions, long reductions) would leave threads idle or
  // unbalanced: every thread then walks every chunk for a slice of each group's columns
  // (each gathers the operands itself), no more threads than a group has columns.
  int t = std::max(1, threads);
  const bool by_columns = chunks_ < kColumnSplitChunks * t;
  if (by_columns) {
    int most = 0;
    for (const std::vector<int>& cols : col_ch_)
      most = std::max(most, static_cast<int>(std::count_if(cols.begin(), cols.end(), [](int oc) { return oc >= 0; })));
    t = std::min(t, most);
  }
  thread_local Scratch own;
  own.size_for(rows_, cols_);
  if (t <= 1 || s_.macs() < kSplitMacs) {
    chunks(0, chunks_, 0, 1, own);
    return;
  }
  run_parts(t, [this, t, by_columns](int i) {
    thread_local Scratch sc;
    sc.size_for(rows_, cols_);
    if (by_columns)
      chunks(0, chunks_, i, t, sc);
    else
      chunks(chunks_ * i / t, chunks_ * (i + 1) / t, 0, 1, sc);
  });
}

// Chunks [begin, end), each through every group whose columns it computes.
template <DataType T>
void FloatConv<T>::chunks(long long begin, long long end, int part, int parts, Scratch& sc) const {
  if (layout_.by_image) {
    if (sc.laid.size() < layout_.size()) sc.laid.resize(layout_.size());
    if (need_words_ && sc.laid_words.size() < layout_.size()) sc.laid_words.resize(layout_.size());
    sc.laid_images.assign(static_cast<std::size_t>(s_.n), 0);
  }
  for (long long chunk = begin; chunk < end; ++chunk) {
    if (layout_.by_image) lay_out_images(chunk, sc);
    for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
      const auto [g0, g1] = batches_[batch];
      const auto selected = [&](int g, int col) {
        const bool group = !region_ || region_->groups.empty() || region_->groups[static_cast<std::size_t>(g)];
        return group && col_ch_[g][col] >= 0 && sel_.column(chunk, col);
      };
      if (!live_columns(batch, part, parts, selected, sc)) continue;
      if (one_row_chunk(batch, chunk)) {
        one_row_groups(chunk, batch, sc);
        continue;
      }
      if (slot_used_[batch] > 0) slot_chunk(chunk, batch, sc);  // takes its columns out of sc.live
      const auto left = [&](const std::vector<int>& cols) { return !cols.empty(); };
      if (std::any_of(sc.live.begin(), sc.live.begin() + (g1 - g0), left)) chunk_groups(chunk, g0, g1, sc);
    }
  }
}

// The images a chunk reads, laid out into this thread's buffer when it first reaches
// them (read back from cache by the chunks that follow). Only chunks that compute
// something need their images.
template <DataType T>
void FloatConv<T>::lay_out_images(long long chunk, Scratch& sc) const {
  bool live = false;
  for (int col = 0; col < cols_ && !live; ++col) live = sel_.column(chunk, col);
  if (!live) return;
  const long long m0 = chunk * kChunk, last = std::min(M_, m0 + kChunk) - 1;
  for (long long n = m0 / PQ_; n <= last / PQ_; ++n) {
    if (sc.laid_images[static_cast<std::size_t>(n)]) continue;
    lay_out_image(s_, layout_, input_, static_cast<int>(n), sc.laid.data());
    if (need_words_)
      lay_out_image(s_, layout_, input_words_, static_cast<int>(n), sc.laid_words.data(), &word_channels_);
    sc.laid_images[static_cast<std::size_t>(n)] = 1;
  }
}

// How each column of groups [g0, g1) steps through a chunk (Exactness), and the
// groups' flips in it.
template <DataType T>
void FloatConv<T>::plan_chunk(long long chunk, int g0, int g1, Scratch& sc) const {
  sc.psum_flips.resize(static_cast<std::size_t>(g1 - g0));
  sc.acc_flips.resize(static_cast<std::size_t>(g1 - g0));
  for (int g = g0; g < g1; ++g) {
    auto [pf, pf_end] = sc.psum_flips[static_cast<std::size_t>(g - g0)] = psum_flips_.of(g, chunk);
    auto [af, af_end] = sc.acc_flips[static_cast<std::size_t>(g - g0)] = acc_flips_.of(g, chunk);
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)]) {
      bool psum_flipped = false, acc_flipped = false;
      for (auto it = pf; it != pf_end && !psum_flipped; ++it) psum_flipped = (*it)->at.col == col;
      for (auto it = af; it != af_end && !acc_flipped; ++it) acc_flipped = (*it)->at.col == col;
      const bool stuck = !acc_slots_[col].empty() || psum_stuck_[col];
      sc.exact[static_cast<std::size_t>((g - g0) * cols_ + col)] =
          psum_flipped && !acc_flipped && !stuck ? kFlipSteps
          : psum_flipped || acc_flipped || !acc_slots_[col].empty() || (psum_stuck_[col] && !exact_kernels_)
              ? kStepExact
          : psum_stuck_[col] && !plan_.psum_masked[col] ? kFusedExact
                                                        : kFused;
    }
  }
}

// The whole accumulation of one chunk in groups [g0, g1) (their rows serve the same
// channels: one gather per step for all), then their outputs.
template <DataType T>
void FloatConv<T>::chunk_groups(long long chunk, int g0, int g1, Scratch& sc) const {
  const int count = static_cast<int>(std::min<long long>(kChunk, M_ - chunk * kChunk));
  plan_chunk(chunk, g0, g1, sc);
  for (int g = g0; g < g1; ++g)  // the steps only change the weight registers
    for (const int col : sc.live[static_cast<std::size_t>(g - g0)])
      sc.inputs[static_cast<std::size_t>(g - g0) * cols_ + col] = column_input(entry(g, 0, 0, col), col, sc);
  for (int b = 0; b < blocks_; ++b)
    for (int rs = 0; rs < RS_; ++rs) {
      const int step = b * RS_ + rs;
      gather(chunk, static_cast<std::size_t>(g0) * blocks_ + b, rs, sc);
      for (int g = g0; g < g1; ++g) {
        const std::size_t batch = static_cast<std::size_t>(g - g0);
        const auto [p0, p1] = ChunkFlips<PsumFlips>::step(sc.psum_flips[batch].first, sc.psum_flips[batch].second, step);
        const auto [a0, a1] = ChunkFlips<AccumulatorFlip>::step(sc.acc_flips[batch].first, sc.acc_flips[batch].second, step);
        for (const int col : sc.live[batch]) {
          const std::size_t slot = batch * cols_ + col;
          float* e = sc.acc.data + slot * kChunk;
          const std::size_t at = entry(g, b, rs, col);
          if (sc.exact[slot] == kFlipSteps && flips_column(p0, p1, col)) {
            if (exact_kernels_)
              exact_kernel_step(chunk, count, at, col, step == 0, p0, p1, e, sc);
            else
              exact_step(chunk, count, at, col, step == 0, p0, p1, e, sc);
            continue;
          }
          if (sc.exact[slot] == kStepExact) {
            if (step > 0) acc_flips(chunk, col, a0, a1, e);
            if (exact_kernels_)
              exact_kernel_step(chunk, count, at, col, step == 0, p0, p1, e, sc);
            else
              exact_step(chunk, count, at, col, step == 0, p0, p1, e, sc);
            stuck_entries(chunk, count, col, e);
            continue;
          }
          cs::ColumnInput& in = sc.inputs[slot];  // the chunk's: only the registers change
          in.w = w_at_[at];
          if (!col_masked_[col] && sc.exact[slot] != kFusedExact) {
            fused_[at](in, rows_, count, e, step == 0);
            continue;
          }
          if (col_masked_[col]) column_leaves(in, col, count, sc);
          (sc.exact[slot] == kFusedExact ? exact_[at] : fused_[at])(in, rows_, count, e, step == 0);
        }
      }
    }
  for (int g = g0; g < g1; ++g) scatter(chunk, count, g, static_cast<std::size_t>(g - g0) * cols_, sc);
}

// The broadcast operands of one step: x[row][lane] (idle rows +0). Only the rows that
// serve a channel are gathered, and only the idle rows an earlier gather filled are
// cleared: a step costs its busy rows, not the array's.
template <DataType T>
void FloatConv<T>::gather(long long chunk, std::size_t block, int rs, Scratch& sc) const {
  const Segment* first = segments_.begin(chunk);
  const Segment* last = segments_.end(chunk);
  const std::vector<int>& row_ch = row_ch_[block];
  ++sc.gathers;
  clear_idle(row_ch, sc);
  const float* from = layout_.by_image ? sc.laid.data() : x_;
  for (const int row : busy_[block]) {
    const long long base = row_ch[row] * layout_.channel + kernel_offset_[rs];
    gather_row(from + base, first, last, sc.x.data + static_cast<std::size_t>(row) * cs::kRowStride);
    if (sc.zero_x[row]) sc.zero_x[row] = 0, sc.dirty_x.push_back(row);
  }
}

// The rows of dirty_x idle in this step set to +0 (rows past this job's are kept).
template <DataType T>
void FloatConv<T>::clear_idle(const std::vector<int>& row_ch, Scratch& sc) const {
  std::size_t kept = 0;
  for (const int row : sc.dirty_x) {
    if (row < rows_ && row_ch[row] < 0) {
      float* to = sc.x.data + static_cast<std::size_t>(row) * cs::kRowStride;
      std::fill(to, to + cs::kRowStride, 0.0f);
      sc.zero_x[row] = 1;
    } else {
      sc.dirty_x[kept++] = row;
    }
  }
  sc.dirty_x.resize(kept);
}

template <DataType T>
column_sums::ColumnInput FloatConv<T>::column_input(std::size_t at, int col, Scratch& sc) const {
  // A masked column's special rows (column_leaves fills their leaves).
  const bool masked = col_masked_[col] != 0;
  return {sc.x.data,
          w_at_[at],
          &im_[static_cast<std::size_t>(col) * rows_],
          &pm_[static_cast<std::size_t>(col) * rows_],
          sc.leaves.data,
          masked ? special(col) : nullptr,
          sc.tree.data(),
          faults_.psum(col),
          masked ? product_rows(col) : nullptr};
}

// One column's sum of one step added into its accumulator entries e[lane] as the
// datapath does it (row counts without a vector tree): canonical sums through the psum
// masks, transient flips recomputed, canonical accumulation.
template <DataType T>
void FloatConv<T>::exact_step(long long chunk, int count, std::size_t at, int col, bool first,
                              const PsumFlips* const* pf, const PsumFlips* const* pf_end, float* e, Scratch& sc) const {
  float* psum = sc.psum.data();
  cs::ColumnInput in = column_input(at, col, sc);
  if (col_masked_[col]) column_leaves(in, col, count, sc);
  (col_masked_[col] ? masked_sums_ : sums_)(in, rows_, count, psum);
  if (psum_stuck_[col]) {
    const StuckMask& sm = faults_.psum(col);
    for (int i = 0; i < count; i += cs::kLanes) _mm256_storeu_ps(psum + i, cs::apply(sm, _mm256_loadu_ps(psum + i)));
  }
  // Transient flips of this step: recompute those column sums exactly.
  for (auto it = pf; it != pf_end; ++it)
    if ((*it)->at.col == col) psum[(*it)->at.pixel - chunk * kChunk] = flipped_sum(chunk, at, **it, sc);
  if (first) {
    std::copy(psum, psum + count, e);
  } else {
    int i = 0;
    for (; i + cs::kLanes <= count; i += cs::kLanes)
      _mm256_storeu_ps(e + i, cs::canonical(_mm256_add_ps(_mm256_loadu_ps(e + i), _mm256_loadu_ps(psum + i))));
    for (; i < count; ++i) e[i] = fp32_add(e[i], psum[i]);
  }
}

// exact_step through the column's exact kernel: every lane as if unflipped, then each
// flipped lane's entry recomputed from the entry it had before the step (the kernel's
// lane is psum = mask(canonical(sum)), e = psum or canonical(e + psum): the same steps).
template <DataType T>
void FloatConv<T>::exact_kernel_step(long long chunk, int count, std::size_t at, int col, bool first,
                                     const PsumFlips* const* pf, const PsumFlips* const* pf_end, float* e,
                                     Scratch& sc) const {
  sc.flipped.clear();
  for (auto it = pf; it != pf_end; ++it)
    if ((*it)->at.col == col) {
      const int i = static_cast<int>((*it)->at.pixel - chunk * kChunk);
      sc.flipped.push_back({i, e[i]});
    }
  cs::ColumnInput in = column_input(at, col, sc);
  if (col_masked_[col]) column_leaves(in, col, count, sc);
  exact_[at](in, rows_, count, e, first);
  std::size_t k = 0;
  for (auto it = pf; it != pf_end; ++it) {
    if ((*it)->at.col != col) continue;
    const auto [i, before] = sc.flipped[k++];
    const float psum = flipped_sum(chunk, at, **it, sc);
    e[i] = first ? psum : fp32_add(before, psum);
  }
}

// The column sum of a flipped lane, exactly (the psum register's stuck-at included),
// over the rows the column's kernels read and those its flips hit (the rest are idle
// leaves of +0, folded as the kernels fold them).
template <DataType T>
float FloatConv<T>::flipped_sum(long long chunk, std::size_t at, const PsumFlips& f, Scratch& sc) const {
  const std::size_t i = static_cast<std::size_t>(f.at.pixel - chunk * kChunk);
  const std::size_t block = at / (static_cast<std::size_t>(RS_) * cols_);  // g * blocks + b
  const int live = std::max(plan_.reads[block * cols_ + f.at.col], plan_.raw_rows[f.at.col]);
  for (int row = 0; row < live; ++row) {
    const std::size_t x_at = static_cast<std::size_t>(row) * cs::kRowStride + i;
    sc.cube[row] = word_of(sc.x.data[x_at]);
  }
  return bits_float(flipped_psum<D>(faults_, rows_, f, &w_raw_[at * rows_], sc.cube.data(), sc.flip, live));
}

// The leaves of column col's masked rows in this step: the products of rows with a
// product mask at every call, the masked inputs of rows with only an input mask once
// per step (the groups of a batch share the PE's row and mask; the tree multiplies by
// each group's weight).
template <DataType T>
void FloatConv<T>::column_leaves(const cs::ColumnInput& in, int col, int count, Scratch& sc) const {
  if (sc.leaf_col == col && sc.leaf_gather == sc.gathers) {  // the masked inputs are there
    if (plan_.col_products[col]) leaves_(in, rows_, count, in.product_rows);
    return;
  }
  leaves_(in, rows_, count, in.special);
  sc.leaf_col = col, sc.leaf_gather = sc.gathers;
}

// Whether the step's psum flips [f, end) hit column col.
template <DataType T>
bool FloatConv<T>::flips_column(const PsumFlips* const* f, const PsumFlips* const* end, int col) {
  for (; f != end; ++f)
    if ((*f)->at.col == col) return true;
  return false;
}

// Stuck accumulator entries: entry `slot` holds positions m with m % stripe_length == slot.
template <DataType T>
void FloatConv<T>::stuck_entries(long long chunk, int count, int col, float* e) const {
  const long long m0 = chunk * kChunk, L = a_.stripe_length;
  for (const int slot : acc_slots_[col]) {
    const StuckMask& am = faults_.accumulator(slot, col);
    for (long long i = ((slot - m0) % L + L) % L; i < count; i += L) e[i] = am.apply(e[i]);
  }
}

// Accumulator flips of this step, before the step reads its entries (exact columns).
template <DataType T>
void FloatConv<T>::acc_flips(long long chunk, int col, const AccumulatorFlip* const* f,
                             const AccumulatorFlip* const* end, float* e) const {
  const long long m0 = chunk * kChunk;
  for (auto it = f; it != end; ++it) {
    if ((*it)->at.col != col) continue;
    const long long i = (*it)->at.pixel - m0;
    const int slot = static_cast<int>((*it)->at.pixel % a_.stripe_length);
    e[i] = faults_.accumulator(slot, col).apply(bits_float(float_bits(e[i]) ^ (*it)->mask));
  }
}

// The chunk's entries to out[n][oc][pq] (the region's planes only).
template <DataType T>
void FloatConv<T>::scatter(long long chunk, int count, int g, std::size_t slot0, const Scratch& sc) const {
  const long long m0 = chunk * kChunk, m_end = m0 + count;
  for (const int col : sc.live[slot0 / cols_]) {
    const int oc = col_ch_[g][col];
    const bool fused = sc.exact[slot0 + col] == kFused || sc.exact[slot0 + col] == kFlipSteps;
    const float* e = sc.acc.data + (slot0 + col) * kChunk;
    if (PQ_ == 1) {  // one position per image: out[m][oc]
      float* o = out_.data() + m0 * s_.k + oc;
      for (int i = 0; i < count; ++i)
        if (sel_.plane(m0 + i, col)) o[static_cast<long long>(i) * s_.k] = fused ? canonical(e[i]) : e[i];
      continue;
    }
    for (long long m = m0; m < m_end;) {
      const long long n = m / PQ_, pq = m % PQ_, len = std::min(PQ_ - pq, m_end - m);
      if (sel_.plane(n, col)) {
        float* o = out_.data() + (n * s_.k + oc) * PQ_ + pq;
        if (fused)
          copy_canonical(e + (m - m0), len, o);
        else
          std::copy(e + (m - m0), e + (m - m0) + len, o);
      }
      m += len;
    }
  }
}

// The batches whose fused columns take the slot kernels: every block's idle rows
// trailing (the slot trees fold them as the lane kernels do, with the fewest busy rows
// of the blocks bounding zero_from), a slot kernel for the row count, and the estimate
// (slot_estimate) or the policy in favour.
template <DataType T>
void FloatConv<T>::plan_slots() {
  slot_used_.assign(batches_.size(), 0);
  const slot_sums::SlotPolicy policy = slot_sums::slot_policy();
  if (policy == slot_sums::SlotPolicy::never || !folds_ || !slot_sums::slot_fn(rows_, rows_)) return;
  const bool masked = slot_sums::slot_fn(rows_, rows_, true) != nullptr;
  slot_cols_.assign(static_cast<std::size_t>(cols_), 0);
  // A psum stuck-at in a job of one step: the output is the masked sum itself, NaN bits
  // included (the slot kernels canonicalise on the way out).
  const bool psum = masked && exact_kernels_ && blocks_ * RS_ > 1;
  // (Psum flips: slot_chunk leaves a column to the chunk path in the chunks they hit.)
  for (int col = 0; col < cols_; ++col)
    slot_cols_[col] = (!col_masked_[col] || masked) && (!psum_stuck_[col] || psum) && acc_slots_[col].empty();
  for (std::size_t batch = 0; batch < batches_.size(); ++batch) {
    const auto [g0, g1] = batches_[batch];
    int used = rows_;
    for (int b = 0; b < blocks_ && used > 0; ++b) {
      const BlockRows& br = tables_.block_rows[static_cast<std::size_t>(g0) * blocks_ + b];
      used = br.trailing_idle ? std::min(used, br.used) : 0;
    }
    const SlotCount n = used > 0 ? slot_count(batch, used) : SlotCount{};
    if (n.slots > 0 && (policy == slot_sums::SlotPolicy::always || slot_estimate(batch, n))) slot_used_[batch] = used;
  }
}

// The batch's live columns the slot kernels would compute, those left to the chunks, and
// the slot columns' masked PEs and the rows holding them.
template <DataType T>
SlotCount FloatConv<T>::slot_count(std::size_t batch, int used) const {
  SlotCount n;
  unsigned input_rows = 0, product_rows = 0;
  for (int g = batches_[batch].first; g < batches_[batch].second; ++g)
    for (int col = 0; col < cols_; ++col) {
      if (col_ch_[g][col] < 0 || !sel_.col_any[col] || !group_selected(g)) continue;
      if (!slot_column(col, used)) {
        ++n.others;
        continue;
      }
      ++n.slots;
      n.psum_slots += psum_stuck_[col];
      if (!col_masked_[col]) continue;
      const unsigned in = masked_rows(col, im_), product = masked_rows(col, pm_);
      n.masked_pes += __builtin_popcount(in | product);
      input_rows |= in, product_rows |= product;
    }
  n.input_rows = __builtin_popcount(input_rows), n.product_rows = __builtin_popcount(product_rows);
  return n;
}

// Whether the slot kernels cost less than the chunks for the batch's slot columns, per
// step of a chunk's positions, in vector leaves (a multiply and an add) at the kernels'
// width: a chunk gathers each busy row (a copy per vector of positions, kSegment per
// segment: one per output row; paid anyway when other columns stay in the chunk), sums
// each live column's vectors of positions (kCall a call) and computes each masked PE's
// leaves (a pass) and each psum-stuck column's mask (a pass); the slot kernels sum each
// position's vectors of slots, each leaf also loading its weight vector and broadcasting
// its operand (3/2 of a leaf with AVX-512's broadcast operands; 3 with AVX2's separate
// broadcasts, where a whole campaign took 5% more instructions at 2), plus the
// accumulation, a masked input row's mask (1; fp16's word: 2), a masked product row's (3)
// and the psum masks (1, canonical first: 2). Fitted to
// rerun_shapes_bench and engines_bench (docs/performance.md, "Slot kernels").
template <DataType T>
bool FloatConv<T>::slot_estimate(std::size_t batch, const SlotCount& n) const {
  constexpr long long kCall = 20, kSegment = 8;
  const bool wide = cs::vector_isa() == cs::VectorIsa::avx512;
  const long long lanes = wide ? 16 : 8, leaf_halves = wide ? 3 : 6;
  const long long positions = std::min<long long>(M_, kChunk);
  const long long segments = static_cast<long long>(segments_.end(0) - segments_.begin(0));
  const long long position_vectors = (positions + lanes - 1) / lanes, slot_vectors = (n.slots + lanes - 1) / lanes;
  const long long masks = (T == DataType::fp16 ? 4 : 2) * n.input_rows + 6 * n.product_rows +
                          (n.psum_slots > 0 ? 4 : 0);  // in halves of a leaf
  long long chunk_cost = 0, slot_halves = 0;
  for (int b = 0; b < blocks_; ++b) {
    const long long busy = tables_.block_rows[static_cast<std::size_t>(batches_[batch].first) * blocks_ + b].used;
    const long long gather = n.others > 0 ? 0 : busy * (position_vectors + kSegment * segments);
    chunk_cost += gather + n.slots * (busy * position_vectors + kCall) +
                  (n.masked_pes + n.psum_slots) * position_vectors;
    slot_halves += positions * slot_vectors * (busy * leaf_halves + 2 + masks);
  }
  return slot_halves < 2 * chunk_cost;
}

// A column the slot kernels compute in a chunk its flips do not hit (slot_chunk): input,
// product and psum stuck-ats only where there are masked kernels (8-row trees), psum
// ones in jobs of two steps or more, no accumulator stuck-at, idle rows of +0 products
// from `used` on.
template <DataType T>
bool FloatConv<T>::slot_column(int col, int used) const {
  return slot_cols_[col] && plan_.zero_from[col] <= used;
}

// The rows of column col whose PE has a non-identity mask in `masks` (im_ or pm_; the
// slot kernels' arrays have at most 16 rows).
template <DataType T>
unsigned FloatConv<T>::masked_rows(int col, const std::vector<StuckMask>& masks) const {
  unsigned rows = 0;
  for (int row = 0; row < rows_ && col_masked_[col]; ++row)
    rows |= static_cast<unsigned>(!masks[static_cast<std::size_t>(col) * rows_ + row].identity()) << row;
  return rows;
}

// The batch's slot columns of this chunk (those stepping kFused in it, or kFusedExact:
// a psum stuck-at, its exact pass as the masked kernel's per-lane masks) a position at a
// time across their output channels, each run of blocks of the same busy rows by its
// kernel; they leave sc.live (chunk_groups computes the rest).
// (Out of line: inlined into chunks() it made GCC compile the chunk loop's gathers into
// 25% more instructions, lane path alone included.)
template <DataType T>
[[gnu::noinline]] void FloatConv<T>::slot_chunk(long long chunk, std::size_t batch, Scratch& sc) const {
  const auto [g0, g1] = batches_[batch];
  plan_chunk(chunk, g0, g1, sc);
  sc.slots.clear();
  for (int g = g0; g < g1; ++g) {
    std::vector<int>& live = sc.live[static_cast<std::size_t>(g - g0)];
    std::size_t kept = 0;
    const auto [pf, pf_end] = sc.psum_flips[static_cast<std::size_t>(g - g0)];
    for (const int col : live) {
      const char how = sc.exact[static_cast<std::size_t>((g - g0) * cols_ + col)];
      if ((how == kFused || how == kFusedExact || (how == kFlipSteps && few_flips(pf, pf_end, col))) &&
          slot_column(col, slot_used_[batch]))
        sc.slots.push_back({g, col});
      else
        live[kept++] = col;
    }
    live.resize(kept);
  }
  if (sc.slots.empty()) return;
  const int count = static_cast<int>(std::min<long long>(kChunk, M_ - chunk * kChunk));
  const int stride = (static_cast<int>(sc.slots.size()) + slot_sums::kSlotAlign - 1) / slot_sums::kSlotAlign *
                     slot_sums::kSlotAlign;
  slot_tables(batch, stride, sc);
  sc.slot_pos.resize(static_cast<std::size_t>(count));
  for (const Segment* g = segments_.begin(chunk); g != segments_.end(chunk); ++g)
    for (int i = 0; i < g->len && g->dst + i < count; ++i) sc.slot_pos[static_cast<std::size_t>(g->dst + i)] = g->src + i;
  sc.slot_acc.grow(static_cast<std::size_t>(count) * stride);
  const float* x = layout_.by_image ? sc.laid.data() : x_;
  const BlockRows* br = &tables_.block_rows[static_cast<std::size_t>(g0) * blocks_];
  const bool masked = sc.slot_input_rows || sc.slot_product_rows || sc.slot_psum;
  const std::uint32_t* psum = sc.slot_psum ? sc.slot_masks.data() + 4 * static_cast<std::size_t>(rows_) * stride : nullptr;
  for (int b0 = 0, b1 = 1; b0 < blocks_; b0 = b1++) {
    while (b1 < blocks_ && br[b1].used == br[b0].used) ++b1;
    const std::size_t s0 = static_cast<std::size_t>(b0) * RS_;
    const slot_sums::SlotInput in{x,
                                  sc.slot_pos.data(),
                                  sc.slot_off.data() + s0 * rows_,
                                  sc.slot_w.data + s0 * rows_ * stride,
                                  (b1 - b0) * RS_,
                                  stride,
                                  static_cast<int>(sc.slots.size()),
                                  sc.slot_masks.data(),
                                  sc.slot_input_rows,
                                  sc.slot_product_rows,
                                  T == DataType::fp16,
                                  psum,
                                  sc.slot_psum_canonical};
    slot_sums::slot_fn(rows_, br[b0].used, masked)(in, count, sc.slot_acc.data, b0 == 0);
  }
  slot_flips(chunk, g0, stride, sc);
  slot_outputs(chunk, count, stride, sc);
}

// Whether the flips [f, end) hit at most kSlotFlippedLanes lanes of column col.
template <DataType T>
bool FloatConv<T>::few_flips(const PsumFlips* const* f, const PsumFlips* const* end, int col) {
  int n = 0;
  for (; f != end; ++f) n += (*f)->at.col == col;  // (a lane flipped at two steps counts twice)
  return n <= kSlotFlippedLanes;
}

// The slot columns' lanes that transient flips hit (kFlipSteps columns), each
// recomputed by slot_lane once.
template <DataType T>
void FloatConv<T>::slot_flips(long long chunk, int g0, int stride, Scratch& sc) const {
  for (std::size_t j = 0; j < sc.slots.size(); ++j) {
    const auto [g, col] = sc.slots[j];
    const auto [pf, pf_end] = sc.psum_flips[static_cast<std::size_t>(g - g0)];
    for (auto it = pf; it != pf_end; ++it) {
      if ((*it)->at.col != col) continue;
      const long long pixel = (*it)->at.pixel;
      bool seen = false;  // an earlier step's flip of the lane
      for (auto e = pf; e != it && !seen; ++e) seen = (*e)->at.col == col && (*e)->at.pixel == pixel;
      if (!seen) sc.slot_acc.data[(pixel - chunk * kChunk) * stride + static_cast<long long>(j)] =
          slot_lane(chunk, g, col, pixel, pf, pf_end, sc);
    }
  }
}

// The accumulation of one flipped lane of slot column (g, col): every step's sum as the
// datapath makes it (flipped_psum, with that step's flips of the lane, if any), added in
// step order. Its NaN-ness and non-NaN value are those of the lane kernels' fused steps
// with exact_kernel_step at the flipped ones (a NaN's payload changes neither); the way
// out canonicalises it as every slot lane.
template <DataType T>
float FloatConv<T>::slot_lane(long long chunk, int g, int col, long long pixel, const PsumFlips* const* pf,
                              const PsumFlips* const* pf_end, Scratch& sc) const {
  const std::size_t i = static_cast<std::size_t>(pixel - chunk * kChunk);
  const float* x = (layout_.by_image ? sc.laid.data() : x_) + sc.slot_pos[i];
  PsumFlips none;
  none.at.col = col;
  float e = 0.0f;
  for (int b = 0; b < blocks_; ++b) {
    const std::size_t block = static_cast<std::size_t>(g) * blocks_ + b;
    const int used = tables_.block_rows[block].used;
    const int live = std::max(plan_.reads[block * cols_ + col], plan_.raw_rows[col]);
    for (int rs = 0; rs < RS_; ++rs) {
      const int step = b * RS_ + rs;
      for (int row = 0; row < live; ++row)  // idle rows: +0
        sc.cube[row] = row < used ? word_of(x[sc.slot_off[static_cast<std::size_t>(step) * rows_ + row]]) : 0u;
      const PsumFlips* f = &none;
      for (auto it = pf; it != pf_end; ++it)
        if ((*it)->at.col == col && (*it)->at.pixel == pixel && (*it)->at.step == step) f = *it;
      const std::size_t at = entry(g, b, rs, col);
      const float sum = bits_float(flipped_psum<D>(faults_, rows_, *f, &w_raw_[at * rows_], sc.cube.data(), sc.flip, live));
      e = step == 0 ? sum : fp32_add(e, sum);
    }
  }
  return e;
}

// The weight registers of sc.slots, step by step and row by row (busy rows only: the
// kernels fold the rest; padding slots +0), and each busy row's operand offset; kept
// for the chunks that follow while the job, batch and slots stay the same.
template <DataType T>
void FloatConv<T>::slot_tables(std::size_t batch, int stride, Scratch& sc) const {
  if (sc.slot_job == job_ && sc.slot_batch == batch && sc.slot_w_of == sc.slots) return;
  sc.slot_job = job_, sc.slot_batch = batch, sc.slot_w_of = sc.slots;
  const int g0 = batches_[batch].first;
  const std::size_t steps = static_cast<std::size_t>(blocks_) * RS_;
  sc.slot_w.grow(steps * rows_ * stride);
  sc.slot_off.resize(steps * rows_);
  std::vector<std::size_t>& first = sc.slot_entries;  // [slot]: its entry at step 0
  first.clear();
  for (const auto& [g, col] : sc.slots) first.push_back(entry(g, 0, 0, col));
  for (int b = 0; b < blocks_; ++b) {
    const std::size_t block = static_cast<std::size_t>(g0) * blocks_ + b;
    const int used = tables_.block_rows[block].used;
    for (int rs = 0; rs < RS_; ++rs) {
      const std::size_t step = static_cast<std::size_t>(b) * RS_ + rs;
      for (int row = 0; row < used; ++row)
        sc.slot_off[step * rows_ + row] = row_ch_[block][row] * layout_.channel + kernel_offset_[rs];
      slot_step_weights(step, used, stride, sc);
    }
  }
  slot_masks(stride, sc);
}

// The input, product and psum masks of the slots' PEs and columns (identity where they
// have none: SlotInput::masks, then SlotInput::psum), and the rows where some slot has
// an input or product one; none when no slot's column is masked or psum-stuck. fp16's
// input masks are on the 16-bit word.
template <DataType T>
void FloatConv<T>::slot_masks(int stride, Scratch& sc) const {
  sc.slot_input_rows = sc.slot_product_rows = 0;
  sc.slot_psum = sc.slot_psum_canonical = false;
  const auto masked = [&](const std::pair<int, int>& slot) { return col_masked_[slot.second] || psum_stuck_[slot.second]; };
  if (std::none_of(sc.slots.begin(), sc.slots.end(), masked)) return;
  const std::size_t plane = static_cast<std::size_t>(rows_) * stride;
  // Six planes of identity: [input, product] x [keep, force] of rows * stride, psum [keep, force] of stride.
  sc.slot_masks.resize(4 * plane + 2 * static_cast<std::size_t>(stride));
  std::uint32_t* next = sc.slot_masks.data();
  for (const std::size_t n : {plane, plane, static_cast<std::size_t>(stride)})
    next = std::fill_n(std::fill_n(next, n, ~0u), n, 0u);
  const std::uint32_t word = T == DataType::fp16 ? 0xffffu : ~0u;
  for (std::size_t j = 0; j < sc.slots.size(); ++j) {
    const int col = sc.slots[j].second;
    const unsigned in = masked_rows(col, im_), product = masked_rows(col, pm_);
    sc.slot_input_rows |= in, sc.slot_product_rows |= product;
    for (unsigned bits = in | product; bits; bits &= bits - 1) {
      const int row = __builtin_ctz(bits);
      const std::size_t pe = static_cast<std::size_t>(col) * rows_ + row, at = row * stride + j;
      sc.slot_masks[at] = im_[pe].keep & word, sc.slot_masks[plane + at] = im_[pe].force & word;
      sc.slot_masks[2 * plane + at] = pm_[pe].keep, sc.slot_masks[3 * plane + at] = pm_[pe].force;
    }
    if (!psum_stuck_[col]) continue;
    const StuckMask& m = faults_.psum(col);
    sc.slot_masks[4 * plane + j] = m.keep, sc.slot_masks[4 * plane + stride + j] = m.force;
    sc.slot_psum = true;
    sc.slot_psum_canonical = sc.slot_psum_canonical || !cs::keeps_nans(m);
  }
}

// One step's registers of every slot: eight slots' rows [r8, r8 + 8) loaded (each
// slot's registers are consecutive), transposed to eight rows of eight slots (bits
// moved, never computed on), the busy rows stored.
template <DataType T>
void FloatConv<T>::slot_step_weights(std::size_t step, int used, int stride, Scratch& sc) const {
  const int n = static_cast<int>(sc.slots.size());
  for (int r8 = 0; r8 < used; r8 += 8) {
    const __m256i lanes = register_vectors::first_lanes(std::min(8, used - r8));  // never past a row's registers
    const int rows = std::min(8, used - r8);
    for (int j0 = 0; j0 < stride; j0 += 8) {
      __m256 v[8];
      for (int i = 0; i < 8; ++i)
        v[i] = j0 + i < n ? _mm256_maskload_ps(w_at_[sc.slot_entries[j0 + i] + step * cols_] + r8, lanes)
                          : _mm256_setzero_ps();
      transpose8(v);
      for (int r = 0; r < rows; ++r) _mm256_storeu_ps(sc.slot_w.data + (step * rows_ + r8 + r) * stride + j0, v[r]);
    }
  }
}

// The slot columns' sums to out[n][oc][pq] (their selected planes), NaNs canonical (the
// columns are fused), image by image.
template <DataType T>
void FloatConv<T>::slot_outputs(long long chunk, int count, int stride, Scratch& sc) const {
  const long long m0 = chunk * kChunk, m_end = m0 + count;
  for (long long m = m0; m < m_end;) {
    const long long n = m / PQ_, pq = m - n * PQ_, len = std::min(PQ_ - pq, m_end - m);
    const float* a = sc.slot_acc.data + static_cast<std::size_t>(m - m0) * stride;
    for (std::size_t j = 0; j < sc.slots.size(); ++j) {
      const auto [g, col] = sc.slots[j];
      if (!sel_.plane(n, col)) continue;
      float* o = out_.data() + (n * s_.k + col_ch_[g][col]) * PQ_ + pq;
      for (long long i = 0; i < len; ++i) o[i] = canonical(a[i * stride + static_cast<long long>(j)]);
    }
    m += len;
  }
}

}  // namespace

template <DataType T>
void float_conv(const ConvJob& job, const ArrayConfig& a, const Mapping& mapping, const PeFaults& faults,
                const ErrorPattern& pattern, const float* input, const float* weights,
                const std::uint16_t* input_words, const std::uint16_t* weight_words, const ConvRegion* region,
                Tensor& out, int threads) {
  FloatConv<T>(job, a, mapping, faults, pattern, input, weights, input_words, weight_words, region, out, threads)
      .run(threads);
}

template void float_conv<DataType::fp32>(const ConvJob&, const ArrayConfig&, const Mapping&, const PeFaults&,
                                         const ErrorPattern&, const float*, const float*, const std::uint16_t*,
                                         const std::uint16_t*, const ConvRegion*, Tensor&, int);
template void float_conv<DataType::fp16>(const ConvJob&, const ArrayConfig&, const Mapping&, const PeFaults&,
                                         const ErrorPattern&, const float*, const float*, const std::uint16_t*,
                                         const std::uint16_t*, const ConvRegion*, Tensor&, int);
template void float_conv<DataType::bf16>(const ConvJob&, const ArrayConfig&, const Mapping&, const PeFaults&,
                                         const ErrorPattern&, const float*, const float*, const std::uint16_t*,
                                         const std::uint16_t*, const ConvRegion*, Tensor&, int);

}  // namespace accsim
