#include "sim/accumulator.h"

namespace accsim {

Accumulator::Accumulator(const ArrayConfig& a, const PeFaults& faults)
    : cols_(a.atomic_k),
      integer_(is_integer(a.datatype)),
      faults_(faults),
      entries_(static_cast<std::size_t>(a.stripe_length) * a.atomic_k, 0u) {}

void Accumulator::flip(int slot, int col, std::uint32_t mask) {
  std::uint32_t& e = entries_[static_cast<std::size_t>(slot) * cols_ + col];
  e = faults_.accumulator(slot, col).apply(e ^ mask);
}

}  // namespace accsim
