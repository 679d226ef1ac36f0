#include "kernels/float_conv.h"

// FloatConv's members by path, one file each in kernels/float_conv/ (job.h: the class;
// job_state.h: what a job keeps per thread), all compiled here as one translation unit.
#include "kernels/float_conv/job.h"
#include "kernels/float_conv/planning.h"
#include "kernels/float_conv/weight_registers.h"
#include "kernels/float_conv/one_row.h"
#include "kernels/float_conv/planes.h"
#include "kernels/float_conv/bands.h"
#include "kernels/float_conv/chunks.h"
#include "kernels/float_conv/slots.h"
#include "kernels/float_conv/slot_operand.h"
#include "kernels/float_conv/positions.h"

namespace accsim {

namespace {

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
      weights_(weights),
      weight_words_(weight_words),
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
  if (by_columns && t > 1 && s_.macs() >= kSplitMacs && slot_positions(t))
    position_parts_ = t, t = 1;  // the slot kernels split each chunk's positions (positions.h)
  else if (by_columns) {
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
