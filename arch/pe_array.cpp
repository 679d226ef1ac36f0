#include "arch/pe_array.h"

#include "arch/datapath.h"

namespace accsim {

PeArray::PeArray(const ArrayConfig& a, const PeFaults& faults)
    : rows_(a.atomic_c),
      cols_(a.atomic_k),
      type_(a.datatype),
      faults_(faults),
      shadow_(a.pes()),
      active_(a.pes()),
      products_(a.pes()) {}

void PeArray::promote() {
  if (!faults_.any_stuck(FaultSite::weight)) {
    active_ = shadow_;
    return;
  }
  for (int i = 0; i < rows_ * cols_; ++i) active_[i] = faults_.weight(i / cols_, i % cols_).apply(shadow_[i]);
}

void PeArray::flip_weight(int row, int col, std::uint32_t mask) {
  std::uint32_t& w = active_[row * cols_ + col];
  w = faults_.weight(row, col).apply(w ^ mask);
}

void PeArray::compute(const std::uint32_t* cube, std::uint32_t* psum, const std::vector<TransientFlip>* flips) {
  with_datapath(type_, [&](auto d) { compute_as<decltype(d)>(cube, psum, flips); });
}

template <class D>
void PeArray::compute_as(const std::uint32_t* cube, std::uint32_t* psum, const std::vector<TransientFlip>* flips) {
  const bool input_stuck = faults_.any_stuck(FaultSite::input);
  const bool product_stuck = faults_.any_stuck(FaultSite::product);
  for (int r = 0; r < rows_; ++r) {
    const std::uint32_t x = cube[r];
    const std::uint32_t* w = &active_[r * cols_];
    std::uint32_t* p = &products_[r * cols_];
    if (input_stuck) {
      for (int c = 0; c < cols_; ++c) p[c] = D::multiply(w[c], faults_.input(r, c).apply(x));
    } else {
      for (int c = 0; c < cols_; ++c) p[c] = D::multiply(w[c], x);
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
      const std::uint32_t x = faults_.input(f.row, f.col).apply(cube[f.row] ^ mask);
      products_[f.row * cols_ + f.col] =
          faults_.product(f.row, f.col).apply(D::multiply(active_[f.row * cols_ + f.col], x));
    }
    for (const auto& f : *flips) {
      if (f.site != FaultSite::product) continue;
      std::uint32_t& p = products_[f.row * cols_ + f.col];
      p = faults_.product(f.row, f.col).apply(p ^ f.mask);
    }
  }
  if constexpr (D::integer)
    for (auto& p : products_) p = D::tree_input(p);
  adder_tree(products_.data(), rows_, cols_, [](std::uint32_t a, std::uint32_t b) { return D::add(a, b); });
  const bool psum_stuck = faults_.any_stuck(FaultSite::psum);
  for (int c = 0; c < cols_; ++c) psum[c] = psum_stuck ? faults_.psum(c).apply(products_[c]) : products_[c];
  if (flips)
    for (const auto& f : *flips)
      if (f.site == FaultSite::psum) psum[f.col] = faults_.psum(f.col).apply(psum[f.col] ^ f.mask);
}

}  // namespace accsim
