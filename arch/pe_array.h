#pragma once
// The PE array of the convolution core (NVDLA CMAC) as plain registers and MACs:
// PE (row, col) holds a shadow and an active weight register and an input register
// and multiplies them; each column (MAC cell) sums its rows' products in a pairwise
// adder tree. Registers and wires hold raw words of the array's number format
// (arch/datapath.h). Faults are hooks on this datapath: every register write and
// every wire passes through its stuck-at mask, and transients flip a bit for one
// cycle (wires) or until the register is rewritten (storage).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "arch/pe_faults.h"

namespace accsim {

class PeArray {
 public:
  PeArray(const ArrayConfig& array, const PeFaults& faults);

  // Shadow registers, row-major [row][col]: the next stripe's weight words are written here.
  std::uint32_t* shadow() { return shadow_.data(); }
  // Stripe start: shadow -> active through each weight register's stuck-at mask.
  void promote();
  // A transient in an active weight register: stays until the next promote().
  void flip_weight(int row, int col, std::uint32_t mask);
  std::uint32_t active_weight(int row, int col) const { return active_[row * cols_ + col]; }

  // One atomic operation: broadcast `cube` (atomic_c words, one per row) into the
  // input registers, multiply, reduce each column. Writes atomic_k column-sum words.
  // `flips`: the transients of this cycle on input, product or psum sites, or nullptr.
  void compute(const std::uint32_t* cube, std::uint32_t* psum, const std::vector<TransientFlip>* flips);

 private:
  template <class D>
  void compute_as(const std::uint32_t* cube, std::uint32_t* psum, const std::vector<TransientFlip>* flips);

  int rows_, cols_;
  DataType type_;
  const PeFaults& faults_;
  std::vector<std::uint32_t> shadow_, active_, products_;
};

// The adder tree of a MAC cell, shared by every engine so that all sum in the same
// order: level by level, element 2i + element 2i+1; an odd last element passes up.
// `values` holds `rows` rows of `cols` lanes, row-major; the result lands in row 0.
template <class T, class Add>
void adder_tree(T* v, int rows, int cols, Add add) {
  for (int n = rows; n > 1;) {
    const int half = n / 2;
    for (int i = 0; i < half; ++i) {
      T* out = v + static_cast<std::size_t>(i) * cols;
      const T* a = v + static_cast<std::size_t>(2 * i) * cols;
      const T* b = a + cols;
      for (int c = 0; c < cols; ++c) out[c] = add(a[c], b[c]);
    }
    if (n & 1) {
      T* out = v + static_cast<std::size_t>(half) * cols;
      const T* last = v + static_cast<std::size_t>(n - 1) * cols;
      for (int c = 0; c < cols; ++c) out[c] = last[c];
    }
    n = half + (n & 1);
  }
}
// The fp32 adder tree.
inline void adder_tree(float* v, int rows, int cols) {
  adder_tree(v, rows, cols, [](float a, float b) { return fp32_add(a, b); });
}

}  // namespace accsim
