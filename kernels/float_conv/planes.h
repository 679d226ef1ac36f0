#pragma once
// Jobs and regions by planes: each image's laid-out plane read in place, selected planes only.
// Part of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

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
                        sc.plane.data, LanePositions{n * PQ_, ws, Q}, sc);
          plane_outputs(n, g, col, 0, P, sc.plane.data, !exact_column(col));
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

}  // namespace
}  // namespace accsim
