#pragma once
// The convolution accumulator (NVDLA CACC): one entry per (stripe slot, column)
// that sums a tile's partial sums over a whole channel operation. Entries hold words
// of the datapath's sum format (fp32, or int32 for int8; arch/datapath.h). Entries
// are storage: a stuck-at applies on every write, a transient flips the stored value.
#include <cstdint>
#include <vector>

#include "arch/datapath.h"
#include "arch/pe_faults.h"

namespace accsim {

class Accumulator {
 public:
  Accumulator(const ArrayConfig& array, const PeFaults& faults);

  // First stripe of a tile overwrites the entries; later ones add to them.
  void write(int slot, const std::uint32_t* psum, bool overwrite) {
    if (integer_)
      write_as<Datapath<DataType::int8>>(slot, psum, overwrite);
    else
      write_as<Datapath<DataType::fp32>>(slot, psum, overwrite);
  }
  void flip(int slot, int col, std::uint32_t mask);
  std::uint32_t entry(int slot, int col) const { return entries_[static_cast<std::size_t>(slot) * cols_ + col]; }

 private:
  template <class D>
  void write_as(int slot, const std::uint32_t* psum, bool overwrite) {
    std::uint32_t* e = &entries_[static_cast<std::size_t>(slot) * cols_];
    const bool stuck = faults_.any_stuck(FaultSite::accumulator);
    for (int c = 0; c < cols_; ++c) {
      const std::uint32_t v = overwrite ? psum[c] : D::add(e[c], psum[c]);
      e[c] = stuck ? faults_.accumulator(slot, c).apply(v) : v;
    }
  }

  int cols_;
  bool integer_;
  const PeFaults& faults_;
  std::vector<std::uint32_t> entries_;
};

}  // namespace accsim
