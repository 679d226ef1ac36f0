#pragma once
// When each stripe of a job starts, in job cycles: the first weight load, then every
// stripe followed by the part of the next load it does not hide. Used to place a
// transient (given in cycles) on the stripe and atomic operation it hits.
#include <vector>

#include "arch/schedule.h"

namespace accsim {

class StripeTimeline {
 public:
  explicit StripeTimeline(const Schedule& schedule);
  long long start(long long stripe) const { return starts_[stripe]; }
  long long stripes() const { return static_cast<long long>(starts_.size()); }
  // The stripe computing at job cycle t, or -1 while the array waits for weights.
  long long stripe_at(long long t) const;
  // The first stripe j whose operation for accumulator slot `slot` runs at cycle >= t,
  // or -1: the next read of that entry after a flip at cycle t.
  long long next_reader(long long t, int slot) const;

 private:
  const Schedule& schedule_;
  std::vector<long long> starts_;
};

}  // namespace accsim
