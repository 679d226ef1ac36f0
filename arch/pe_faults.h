#pragma once
// The hardware faults of a run, compiled into what the datapath asks each cycle:
// stuck-at masks per register/wire and the transient bit flips ordered by cycle.
#include <cstdint>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "arch/number_format.h"

namespace accsim {

struct TransientFlip {
  long long cycle = 0;
  FaultSite site = FaultSite::weight;
  int row = 0, col = 0;
  std::uint32_t mask = 0;
};

class PeFaults {
 public:
  PeFaults() = default;  // a fault-free array
  PeFaults(const ArrayConfig& array, const std::vector<HardwareFault>& faults);

  // Stuck-at masks; identity where nothing is stuck. Several stuck-ats on one bit:
  // stuck-at-1 wins (the register reads (v & keep) | force).
  // A default-constructed PeFaults (fault-free, any array shape) answers identity.
  const StuckMask& weight(int row, int col) const { return mask(FaultSite::weight, weight_, row * cols_ + col); }
  const StuckMask& input(int row, int col) const { return mask(FaultSite::input, input_, row * cols_ + col); }
  const StuckMask& product(int row, int col) const { return mask(FaultSite::product, product_, row * cols_ + col); }
  const StuckMask& psum(int col) const { return mask(FaultSite::psum, psum_, col); }
  const StuckMask& accumulator(int slot, int col) const {
    return mask(FaultSite::accumulator, accumulator_, slot * cols_ + col);
  }
  bool any_stuck(FaultSite site) const { return any_stuck_[static_cast<int>(site)]; }

  // Transients sorted by cycle (stable: config order within a cycle).
  const std::vector<TransientFlip>& transients() const { return transients_; }
  bool empty() const { return faults_.empty(); }
  const std::vector<HardwareFault>& faults() const { return faults_; }

 private:
  const StuckMask& mask(FaultSite site, const std::vector<StuckMask>& masks, int i) const {
    static const StuckMask identity;
    return any_stuck(site) ? masks[i] : identity;
  }
  int cols_ = 0;
  std::vector<StuckMask> weight_, input_, product_, psum_, accumulator_;
  bool any_stuck_[5] = {false, false, false, false, false};
  std::vector<TransientFlip> transients_;
  std::vector<HardwareFault> faults_;
};

}  // namespace accsim
