#pragma once
// The PE array of the convolution core (NVDLA CMAC) as plain registers and MACs:
// PE (row, col) holds a shadow and an active weight register and an input register
// and multiplies them; each column (MAC cell) sums its rows' products in a pairwise
// adder tree. Faults are hooks on this datapath: every register write and every wire
// passes through its stuck-at mask, and transients flip a bit for one cycle (wires)
// or until the register is rewritten (storage).
#include <vector>

#include "arch/pe_faults.h"

namespace accsim {

class PeArray {
 public:
  PeArray(const ArrayConfig& array, const PeFaults& faults);

  // Shadow registers, row-major [row][col]: the next stripe's weights are written here.
  float* shadow() { return shadow_.data(); }
  // Stripe start: shadow -> active through each weight register's stuck-at mask.
  void promote();
  // A transient in an active weight register: stays until the next promote().
  void flip_weight(int row, int col, std::uint32_t mask);
  float active_weight(int row, int col) const { return active_[row * cols_ + col]; }

  // One atomic operation: broadcast `cube` (atomic_c values, one per row) into the
  // input registers, multiply, reduce each column. Writes atomic_k column sums.
  // `flips`: the transients of this cycle on input, product or psum sites, or nullptr.
  void compute(const float* cube, float* psum, const std::vector<TransientFlip>* flips);

 private:
  int rows_, cols_;
  const PeFaults& faults_;
  std::vector<float> shadow_, active_, products_;
};

// The adder tree of a MAC cell, shared by every engine so that all sum in the same
// order: level by level, element 2i + element 2i+1; an odd last element passes up.
// `values` holds `rows` rows of `cols` lanes, row-major; the result lands in row 0.
void adder_tree(float* values, int rows, int cols);

}  // namespace accsim
