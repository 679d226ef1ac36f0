#pragma once
// The weight registers of the plan's entries: through the stuck-at masks, 8 rows at a time. Part
// of kernels/float_conv.cpp's one translation unit.
#include "kernels/float_conv/job.h"

namespace accsim {
namespace {

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
// idle), idle rows too with every_row, and a column with psum flips every row they
// hit; eight rows at a time (the last group partial).
template <DataType T>
void FloatConv<T>::weight_registers(const float* weights, const std::uint16_t* weight_words,
                                    const std::vector<int>& row_ch, int g, int b, int col, int oc, bool every_row,
                                    int end) {
  float* w0 = &w_reg_[entry(g, b, 0, col) * rows_];
  const int rows = every_row ? rows_ : std::max(end, raw_ && plan_.raw_cols[col] ? plan_.raw_rows[col] : 0);
  for (int r8 = 0; r8 < rows; r8 += 8) weight_group(weights, weight_words, row_ch, r8, std::min(8, rows - r8), col, oc, w0);
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
                                const std::vector<int>& row_ch, int r8, int n, int col, int oc, float* w0) const {
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
  // A whole vector where the entry has room for it (masked stores are slow on AMD): its
  // lanes past n, rows no kernel reads, get +0 (word 0 through identity masks).
  const bool whole = r8 + 8 <= rows_;
  const __m256i lanes = rv::first_lanes(n);
  const auto store = [&](std::size_t at, __m256i words) {
    const __m256 v = rv::floats_of<T>(stuck ? rv::apply(words, keep, force) : words);
    if (whole)
      _mm256_storeu_ps(w0 + at, v);
    else
      _mm256_maskstore_ps(w0 + at, lanes, v);
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

}  // namespace
}  // namespace accsim
