#include "arch/pe_array.h"

namespace accsim {

PeArray::PeArray(const ArrayConfig& a, const PeFaults& faults)
    : rows_(a.atomic_c), cols_(a.atomic_k), faults_(faults), shadow_(a.pes()), active_(a.pes()), products_(a.pes()) {}

void PeArray::promote() {
  if (!faults_.any_stuck(FaultSite::weight)) {
    active_ = shadow_;
    return;
  }
  for (int i = 0; i < rows_ * cols_; ++i) active_[i] = faults_.weight(i / cols_, i % cols_).apply(shadow_[i]);
}

void PeArray::flip_weight(int row, int col, std::uint32_t mask) {
  float& w = active_[row * cols_ + col];
  w = faults_.weight(row, col).apply(bits_float(float_bits(w) ^ mask));
}

void adder_tree(float* v, int rows, int cols) {
  for (int n = rows; n > 1;) {
    const int half = n / 2;
    for (int i = 0; i < half; ++i) {
      float* out = v + static_cast<std::size_t>(i) * cols;
      const float* a = v + static_cast<std::size_t>(2 * i) * cols;
      const float* b = a + cols;
      for (int c = 0; c < cols; ++c) out[c] = fp32_add(a[c], b[c]);
    }
    if (n & 1) {
      float* out = v + static_cast<std::size_t>(half) * cols;
      const float* last = v + static_cast<std::size_t>(n - 1) * cols;
      for (int c = 0; c < cols; ++c) out[c] = last[c];
    }
    n = half + (n & 1);
  }
}

void PeArray::compute(const float* cube, float* psum, const std::vector<TransientFlip>* flips) {
  const bool input_stuck = faults_.any_stuck(FaultSite::input);
  const bool product_stuck = faults_.any_stuck(FaultSite::product);
  for (int r = 0; r < rows_; ++r) {
    const float x = cube[r];
    const float* w = &active_[r * cols_];
    float* p = &products_[r * cols_];
    if (input_stuck) {
      for (int c = 0; c < cols_; ++c) p[c] = fp32_mul(w[c], faults_.input(r, c).apply(x));
    } else {
      for (int c = 0; c < cols_; ++c) p[c] = fp32_mul(w[c], x);
    }
    if (product_stuck)
      for (int c = 0; c < cols_; ++c) p[c] = faults_.product(r, c).apply(p[c]);
  }
  if (flips) {
    // Input before product: the datapath order inside a PE.
    for (std::size_t i = 0; i < flips->size(); ++i) {
      const auto& f = (*flips)[i];
      if (f.site != FaultSite::input) continue;
      // Several flips of one input register in one cycle combine into one mask.
      std::uint32_t mask = 0;
      bool first = true;
      for (std::size_t j = 0; j < flips->size(); ++j) {
        const auto& g = (*flips)[j];
        if (g.site != FaultSite::input || g.row != f.row || g.col != f.col) continue;
        if (j < i) first = false;
        mask ^= g.mask;
      }
      if (!first) continue;
      const float x = faults_.input(f.row, f.col).apply(bits_float(float_bits(cube[f.row]) ^ mask));
      products_[f.row * cols_ + f.col] = faults_.product(f.row, f.col).apply(fp32_mul(active_[f.row * cols_ + f.col], x));
    }
    for (const auto& f : *flips) {
      if (f.site != FaultSite::product) continue;
      float& p = products_[f.row * cols_ + f.col];
      p = faults_.product(f.row, f.col).apply(bits_float(float_bits(p) ^ f.mask));
    }
  }
  adder_tree(products_.data(), rows_, cols_);
  const bool psum_stuck = faults_.any_stuck(FaultSite::psum);
  for (int c = 0; c < cols_; ++c) psum[c] = psum_stuck ? faults_.psum(c).apply(products_[c]) : products_[c];
  if (flips)
    for (const auto& f : *flips)
      if (f.site == FaultSite::psum) psum[f.col] = faults_.psum(f.col).apply(bits_float(float_bits(psum[f.col]) ^ f.mask));
}

}  // namespace accsim
