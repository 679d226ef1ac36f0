#include "arch/pe_faults.h"

#include <algorithm>
#include <stdexcept>

namespace accsim {

PeFaults::PeFaults(const ArrayConfig& a, const std::vector<HardwareFault>& faults)
    : cols_(a.atomic_k),
      weight_(a.pes()),
      input_(a.pes()),
      product_(a.pes()),
      psum_(a.atomic_k),
      accumulator_(static_cast<std::size_t>(a.stripe_length) * a.atomic_k),
      faults_(faults) {
  for (const auto& f : faults) {
    validate(f, a);
    if (!f.permanent()) {
      transients_.push_back({f.cycle, f.site, f.row, f.col, f.mask()});
      continue;
    }
    StuckMask* m = nullptr;
    switch (f.site) {
      case FaultSite::weight: m = &weight_[f.row * cols_ + f.col]; break;
      case FaultSite::input: m = &input_[f.row * cols_ + f.col]; break;
      case FaultSite::product: m = &product_[f.row * cols_ + f.col]; break;
      case FaultSite::psum: m = &psum_[f.col]; break;
      case FaultSite::accumulator: m = &accumulator_[f.row * cols_ + f.col]; break;
    }
    if (f.kind == FaultKind::stuck_at_0) m->keep &= ~f.mask();
    if (f.kind == FaultKind::stuck_at_1) m->force |= f.mask();
    any_stuck_[static_cast<int>(f.site)] = true;
  }
  std::stable_sort(transients_.begin(), transients_.end(),
                   [](const TransientFlip& x, const TransientFlip& y) { return x.cycle < y.cycle; });
}

}  // namespace accsim
