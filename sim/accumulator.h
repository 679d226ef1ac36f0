#pragma once
// The convolution accumulator (NVDLA CACC): one entry per (stripe slot, column)
// that sums a tile's partial sums over a whole channel operation. Entries are storage:
// a stuck-at applies on every write, a transient flips the stored value.
#include <vector>

#include "arch/pe_faults.h"

namespace accsim {

class Accumulator {
 public:
  Accumulator(const ArrayConfig& array, const PeFaults& faults);

  // First stripe of a tile overwrites the entries; later ones add to them.
  void write(int slot, const float* psum, bool overwrite) {
    float* e = &entries_[static_cast<std::size_t>(slot) * cols_];
    const bool stuck = faults_.any_stuck(FaultSite::accumulator);
    for (int c = 0; c < cols_; ++c) {
      float v = overwrite ? psum[c] : fp32_add(e[c], psum[c]);
      e[c] = stuck ? faults_.accumulator(slot, c).apply(v) : v;
    }
  }
  void flip(int slot, int col, std::uint32_t mask);
  float entry(int slot, int col) const { return entries_[static_cast<std::size_t>(slot) * cols_ + col]; }

 private:
  int cols_;
  const PeFaults& faults_;
  std::vector<float> entries_;
};

}  // namespace accsim
