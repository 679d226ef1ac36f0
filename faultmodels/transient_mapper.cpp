#include "faultmodels/transient_mapper.h"

#include <array>
#include <map>
#include <memory>

#include "arch/job_timing.h"
#include "arch/stripe_timeline.h"

namespace accsim {

namespace {

int step_of(const Stripe& st, const ConvShape& s) { return (st.block * s.r + st.r) * s.s + st.s; }

// A job shape's schedule and stripe timeline, built once per thread: a campaign maps
// transients into the same few job shapes thousands of times.
struct Timeline {
  Schedule schedule;
  StripeTimeline stripes;
  Timeline(const ConvShape& shape, const ArrayConfig& array) : schedule(shape, array), stripes(schedule) {}
};

const Timeline& cached_timeline(const ConvShape& s, const ArrayConfig& a) {
  using Key = std::array<long long, 14>;
  thread_local std::map<Key, std::unique_ptr<Timeline>> cache;
  const Key key{s.n, s.c, s.h, s.w, s.k, s.r, s.s, s.stride, s.pad, a.atomic_c, a.atomic_k, a.stripe_length,
                a.weight_load_bytes_per_cycle, bytes_per_element(a.datatype)};
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  if (cache.size() >= 64) cache.clear();
  return *cache.emplace(key, std::make_unique<Timeline>(s, a)).first->second;
}

void add_flip(std::vector<RowFlip>& flips, int row, std::uint32_t mask) {
  for (auto& f : flips)
    if (f.row == row) {
      f.mask ^= mask;
      return;
    }
  flips.push_back({row, mask});
}

}  // namespace

ErrorPattern map_transients(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults,
                            long long start_cycle) {
  ErrorPattern pattern;
  if (faults.transients().empty()) return pattern;
  const long long end = start_cycle + closed_form_timing(job, array).cycles;
  bool any = false;
  for (const auto& f : faults.transients()) any |= f.cycle >= start_cycle && f.cycle < end;
  if (!any) return pattern;
  const Timeline& cached = cached_timeline(job.shape, array);
  const Schedule& schedule = cached.schedule;
  const StripeTimeline& timeline = cached.stripes;
  std::map<ElementKey, PsumFlips> psums;
  std::map<ElementKey, std::uint32_t> accumulator;
  auto psum_at = [&](const Stripe& st, int op, int col) -> PsumFlips& {
    ElementKey key{st.group, step_of(st, job.shape), st.first_pixel + op, col};
    PsumFlips& p = psums[key];
    p.at = key;
    return p;
  };
  for (const auto& f : faults.transients()) {
    if (f.cycle < start_cycle || f.cycle >= end) continue;
    const long long t = f.cycle - start_cycle;
    if (f.site == FaultSite::accumulator) {
      const long long j = timeline.next_reader(t, f.row);
      if (j < 0) continue;
      const Stripe st = schedule.stripe(j);
      if (st.first_of_tile) continue;  // the entry is overwritten, not read
      ElementKey key{st.group, step_of(st, job.shape), st.first_pixel + f.row, f.col};
      accumulator[key] ^= f.mask;
      continue;
    }
    // A weight register keeps a flip for the stripe's later operations; a wire carries
    // one only in the cycle an operation fires.
    const long long j = f.site == FaultSite::weight ? timeline.stripe_during(t) : timeline.stripe_at(t);
    if (j < 0) continue;  // the array is waiting: wires idle, registers reloaded before use
    const Stripe st = schedule.stripe(j);
    const int op = timeline.op_at(j, t);
    switch (f.site) {
      case FaultSite::weight:  // stays in the register for the rest of the stripe
        for (int i = op; i < st.length; ++i) add_flip(psum_at(st, i, f.col).weight, f.row, f.mask);
        break;
      case FaultSite::input: add_flip(psum_at(st, op, f.col).input, f.row, f.mask); break;
      case FaultSite::product: add_flip(psum_at(st, op, f.col).product, f.row, f.mask); break;
      case FaultSite::psum: psum_at(st, op, f.col).psum ^= f.mask; break;
      case FaultSite::accumulator: break;
    }
  }
  for (auto& [key, p] : psums) pattern.psums.push_back(std::move(p));
  for (auto& [key, mask] : accumulator) pattern.accumulator.push_back({key, mask});
  return pattern;
}

}  // namespace accsim
