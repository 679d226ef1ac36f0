#include "arch/stripe_timeline.h"

#include <algorithm>

#include "arch/memory_timing.h"

namespace accsim {

StripeTimeline::StripeTimeline(const Schedule& s)
    : schedule_(s), k_(cycles_per_atomic_op(s.array())), starts_(static_cast<std::size_t>(s.stripes())) {
  Stripe first = s.stripe(0);
  long long t = memory_prologue_cycles(s.shape(), s.array()) + s.load_cycles(first.group, first.block);
  for (long long j = 0; j < s.stripes(); ++j) {
    starts_[j] = t;
    const Stripe st = s.stripe(j);
    const long long busy = static_cast<long long>(k_) * st.length;
    t += busy;
    if (j + 1 < s.stripes()) {
      const Stripe next = s.stripe(j + 1);
      t += std::max<long long>(0, s.load_cycles(next.group, next.block) - busy);
    }
  }
}

long long StripeTimeline::stripe_during(long long t) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), t);
  if (it == starts_.begin()) return -1;
  const long long j = (it - starts_.begin()) - 1;
  return t < starts_[j] + static_cast<long long>(k_) * schedule_.stripe(j).length ? j : -1;
}

long long StripeTimeline::stripe_at(long long t) const {
  const long long j = stripe_during(t);
  return j >= 0 && (t - starts_[j]) % k_ == k_ - 1 ? j : -1;
}

long long StripeTimeline::next_reader(long long t, int slot) const {
  // Stripes whose operation `slot` fires at start + slot*k + k-1 >= t, in order; skip
  // those too short to have that slot.
  const long long fire = static_cast<long long>(slot) * k_ + k_ - 1;
  auto it = std::lower_bound(starts_.begin(), starts_.end(), t - fire);
  for (long long j = it - starts_.begin(); j < stripes(); ++j)
    if (slot < schedule_.stripe(j).length) return j;
  return -1;
}

}  // namespace accsim
