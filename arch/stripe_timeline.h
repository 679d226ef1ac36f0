#pragma once
// When each stripe of a job starts, in job cycles: the memory side's first fetch
// (arch/memory_timing.h), the first weight load, then every stripe (k cycles per atomic
// operation: CSC reads the input cube, the array fires in the k-th) followed by the
// part of the next load it does not hide. Used to place a transient (given in cycles)
// on the stripe and atomic operation it hits.
#include <vector>

#include "arch/schedule.h"

namespace accsim {

class StripeTimeline {
 public:
  explicit StripeTimeline(const Schedule& schedule);
  long long start(long long stripe) const { return starts_[stripe]; }
  long long stripes() const { return static_cast<long long>(starts_.size()); }
  int op_cycles() const { return k_; }
  // The stripe whose atomic operation fires at job cycle t, or -1 (waiting for weights,
  // data or memory): what a transient on a wire hits.
  long long stripe_at(long long t) const;
  // The stripe computing or reading its inputs at cycle t, or -1: whose weight registers
  // a flip at t corrupts.
  long long stripe_during(long long t) const;
  // In stripe j (t within it): the first atomic operation that fires at or after t.
  int op_at(long long j, long long t) const { return static_cast<int>((t - starts_[j]) / k_); }
  // The first stripe j whose operation for accumulator slot `slot` fires at cycle >= t,
  // or -1: the next read of that entry after a flip at cycle t.
  long long next_reader(long long t, int slot) const;

 private:
  const Schedule& schedule_;
  int k_;
  std::vector<long long> starts_;
};

}  // namespace accsim
