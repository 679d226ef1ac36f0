#include "arch/stripe_timeline.h"

#include <algorithm>

namespace accsim {

StripeTimeline::StripeTimeline(const Schedule& s) : schedule_(s), starts_(static_cast<std::size_t>(s.stripes())) {
  Stripe first = s.stripe(0);
  long long t = s.load_cycles(first.group, first.block);
  for (long long j = 0; j < s.stripes(); ++j) {
    starts_[j] = t;
    const Stripe st = s.stripe(j);
    t += st.length;
    if (j + 1 < s.stripes()) {
      const Stripe next = s.stripe(j + 1);
      t += std::max<long long>(0, s.load_cycles(next.group, next.block) - st.length);
    }
  }
}

long long StripeTimeline::stripe_at(long long t) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), t);
  if (it == starts_.begin()) return -1;
  const long long j = (it - starts_.begin()) - 1;
  return t < starts_[j] + schedule_.stripe(j).length ? j : -1;
}

long long StripeTimeline::next_reader(long long t, int slot) const {
  // Stripes with start + slot >= t, in order; skip those too short to have that slot.
  auto it = std::lower_bound(starts_.begin(), starts_.end(), t - slot);
  for (long long j = it - starts_.begin(); j < stripes(); ++j)
    if (slot < schedule_.stripe(j).length) return j;
  return -1;
}

}  // namespace accsim
