#pragma once
// FloatConv: one float_conv call, planned in its constructor and computed by run() through one of
// its paths. Part of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job_state.h"

namespace accsim {
namespace {

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
                    int n, int col, int oc, float* w0) const;
  static __m256i row_words(const float* weights, const std::uint16_t* weight_words, long long first, int rs, int len);
  __m256i position_words(const float* weights, const std::uint16_t* weight_words, const std::vector<int>& row_ch,
                         int r8, int n, int oc) const;
  // Chunks [begin, end); each group's live columns cut into `parts` slices, this call
  // computing slice `part` (a job of few chunks splits its columns over threads).
  void chunks(long long begin, long long end, int part, int parts, Scratch& sc) const;
  void lay_out_images(long long chunk, Scratch& sc) const;
  void plan_chunk(long long chunk, int g0, int g1, Scratch& sc) const;
  void chunk_groups(long long chunk, int g0, int g1, Scratch& sc) const;
  void column_step(const ChunkStep& c, std::size_t slot, int col, Scratch& sc) const;
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
  // Rows [0, live) of entry at's register words before their stuck-ats (what flipped_psum reads).
  const std::uint32_t* raw_words(std::size_t at, int live, Scratch& sc) const;
  void stuck_entries(long long chunk, int count, int col, float* e) const;
  // Position m's accumulator entry (its stripe phase), and how far from m the next
  // position of entry `slot` lies.
  int phase_of(long long m) const { return static_cast<int>(m % a_.stripe_length); }
  long long phase_distance(long long m, int slot) const {
    const long long L = a_.stripe_length;
    return ((slot - m) % L + L) % L;
  }
  static bool flips_column(const PsumFlips* const* f, const PsumFlips* const* end, int col);
  void column_leaves(const column_sums::ColumnInput& in, int col, int count, Scratch& sc) const;
  void acc_flips(long long chunk, int col, const AccumulatorFlip* const* f, const AccumulatorFlip* const* end,
                 float* e) const;
  void scatter(long long chunk, int count, int g, std::size_t slot0, const Scratch& sc) const;
  // One-row jobs (kernels/one_row_sums.h): the batches whose every column may take the
  // one-row path, and that path for one chunk.
  void plan_one_row();
  bool one_row_column(int row, int col) const;
  bool one_row_leaves(int row, int col, float& leaf) const;
  float idle_product(std::size_t pe) const;
  bool one_row_chunk(std::size_t batch, long long chunk) const;
  void one_row_groups(long long chunk, std::size_t batch, Scratch& sc) const;
  // Column col of group g over `count` lanes from the taps (offsets: one per step); `lanes`:
  // the output positions of the lanes (for the column's stuck accumulator entries).
  void one_row_chain(int g, int col, int row, const float* taps, const std::uint16_t* tap_words,
                    const std::ptrdiff_t* offsets, int count, float* acc, const LanePositions& lanes,
                    Scratch& sc) const;
  void entry_lanes(int col, int count, const LanePositions& lanes, Scratch& sc) const;
  // Whether column col steps exactly (a stuck psum register or accumulator entry).
  bool exact_column(int col) const { return psum_stuck_[col] || !acc_slots_[col].empty(); }
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
  slot_sums::SlotFn slot_kernel(int used, bool lean, const Scratch& sc) const;
  void slot_steps(int g0, int s0, int s1, int v0, int n, const std::ptrdiff_t* pos, int count, int phase0, int stride,
                  float* acc, bool lean, const Scratch& sc) const;
  void slot_flips(long long chunk, int g0, int stride, Scratch& sc) const;
  float slot_lane(long long chunk, std::size_t j, long long pixel, const PsumFlips* const* pf,
                  const PsumFlips* const* pf_end, int stride, Scratch& sc) const;
  float slot_flipped_sum(const float* x, int g, int b, int rs, const PsumFlips& f, Scratch& sc) const;
  void slot_tables(std::size_t batch, int stride, Scratch& sc) const;
  void slot_step_weights(std::size_t step, int used, int stride, Scratch& sc) const;
  void slot_masks(int stride, Scratch& sc) const;
  void slot_entry_masks(int stride, Scratch& sc) const;
  void slot_operand_mask(int stride, Scratch& sc) const;
  void slot_operand(int g0, std::ptrdiff_t lo, std::ptrdiff_t hi, Scratch& sc) const;
  std::pair<std::ptrdiff_t, std::ptrdiff_t> chunk_positions(long long chunk, int count, Scratch& sc) const;
  void slot_outputs(long long chunk, int count, int stride, Scratch& sc) const;
  // Jobs of few chunks split by positions (positions.h).
  bool slot_positions(int threads) const;
  void slot_blocks(slot_sums::SlotFn fn, const slot_sums::SlotInput& in, int count, float* acc, bool first) const;
  void slot_parts(slot_sums::SlotFn fn, const slot_sums::SlotInput& in, int count, float* acc, bool first) const;

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
  const float* weights_;                // [k, c, r, s] (raw_words reads them)
  const std::uint16_t* weight_words_;   // fp16: the words
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
  bool raw_ = false;  // transient flips: plan_.reads holds each entry's rows
  cs::SumsFn sums_, masked_sums_;
  const bool exact_kernels_;  // the row count has exact vector kernels
  const bool folds_;          // the row count's kernels fold trailing idle rows (column_sums::folds_idle_rows)
  cs::LeavesFn leaves_;
  std::vector<std::pair<int, int>>& batches_ = tables_.batches;  // groups [g0, g1) computed together
  std::vector<int> one_row_;                  // [batch]: the one row its groups use, -1: the general path
  std::vector<std::ptrdiff_t> tap_rows_;      // [rs]: rs * kRowStride (a chunk's gathered taps)
  std::vector<std::ptrdiff_t> tap_plane_;     // [rs]: the kernel position's offset in a laid-out image
  std::vector<int> slot_used_;                // [batch]: the fewest busy rows of its blocks; 0: no slot kernels
  bool operand_room_ = false;  // slot kernels may take a masked operand: laid-out images get room for it beside them
  std::vector<char> slot_cols_;               // [col]: the slot kernels can compute it (slot_column)
  std::vector<char> entry_cols_;              // [col]: they could but for a stuck accumulator entry
  const unsigned long long job_;              // this call's number (a thread's slot tables name the job they hold)
  int position_parts_ = 1;                    // threads the slot kernels split a chunk's positions over
};

// Numbers the calls of float_conv (FloatConv::job_).
unsigned long long next_job() {
  static std::atomic<unsigned long long> jobs{0};
  return ++jobs;
}

}  // namespace
}  // namespace accsim
