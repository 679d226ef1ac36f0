#include "faultmodels/transient_mapper.h"

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <vector>

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

// One transient's flip of one element (register row, or the psum/accumulator entry), in
// the order the transients strike: `order` keeps that order through the sort by element.
struct Hit {
  ElementKey at;
  int order;
  FaultSite site;
  int row;
  std::uint32_t mask;
  bool operator<(const Hit& o) const { return at < o.at || (at == o.at && order < o.order); }
};

void add_hit(PsumFlips& p, const Hit& h) {
  switch (h.site) {
    case FaultSite::weight: add_flip(p.weight, h.row, h.mask); break;
    case FaultSite::input: add_flip(p.input, h.row, h.mask); break;
    case FaultSite::product: add_flip(p.product, h.row, h.mask); break;
    case FaultSite::psum: p.psum ^= h.mask; break;
    case FaultSite::accumulator: break;
  }
}

// The hits of each element merged in strike order (as a map of elements fills), sorted
// by element. Vectors reused per thread: a job's mapping allocates only its pattern.
void merge_hits(std::vector<Hit>& psum_hits, std::vector<Hit>& acc_hits, ErrorPattern& pattern) {
  std::sort(psum_hits.begin(), psum_hits.end());
  std::sort(acc_hits.begin(), acc_hits.end());
  for (std::size_t i = 0; i < psum_hits.size();) {
    PsumFlips p;
    p.at = psum_hits[i].at;
    for (; i < psum_hits.size() && psum_hits[i].at == p.at; ++i) add_hit(p, psum_hits[i]);
    pattern.psums.push_back(std::move(p));
  }
  for (std::size_t i = 0; i < acc_hits.size();) {
    AccumulatorFlip a{acc_hits[i].at, 0};
    for (; i < acc_hits.size() && acc_hits[i].at == a.at; ++i) a.mask ^= acc_hits[i].mask;
    pattern.accumulator.push_back(a);
  }
}

}  // namespace

ErrorPattern map_transients(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults,
                            long long start_cycle) {
  if (faults.transients().empty()) return {};
  return map_transients(job, array, faults, start_cycle, closed_form_timing(job, array).cycles);
}

ErrorPattern map_transients(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults,
                            long long start_cycle, long long job_cycles) {
  ErrorPattern pattern;
  const long long end = start_cycle + job_cycles;
  bool any = false;
  for (const auto& f : faults.transients()) any |= f.cycle >= start_cycle && f.cycle < end;
  if (!any) return pattern;
  const Timeline& cached = cached_timeline(job.shape, array);
  const Schedule& schedule = cached.schedule;
  const StripeTimeline& timeline = cached.stripes;
  thread_local std::vector<Hit> psum_hits, acc_hits;
  psum_hits.clear(), acc_hits.clear();
  auto hit = [&](std::vector<Hit>& hits, const Stripe& st, int op, const TransientFlip& f) {
    const ElementKey at{st.group, step_of(st, job.shape), st.first_pixel + op, f.col};
    hits.push_back({at, static_cast<int>(hits.size()), f.site, f.row, f.mask});
  };
  for (const auto& f : faults.transients()) {
    if (f.cycle < start_cycle || f.cycle >= end) continue;
    const long long t = f.cycle - start_cycle;
    if (f.site == FaultSite::accumulator) {
      const long long j = timeline.next_reader(t, f.row);
      if (j < 0) continue;
      const Stripe st = schedule.stripe(j);
      if (st.first_of_tile) continue;  // the entry is overwritten, not read
      hit(acc_hits, st, f.row, f);
      continue;
    }
    // A weight register keeps a flip for the stripe's later operations; a wire carries
    // one only in the cycle an operation fires.
    const long long j = f.site == FaultSite::weight ? timeline.stripe_during(t) : timeline.stripe_at(t);
    if (j < 0) continue;  // the array is waiting: wires idle, registers reloaded before use
    const Stripe st = schedule.stripe(j);
    const int op = timeline.op_at(j, t);
    const int last = f.site == FaultSite::weight ? st.length : op + 1;  // a weight stays for the stripe's rest
    for (int i = op; i < last; ++i) hit(psum_hits, st, i, f);
  }
  merge_hits(psum_hits, acc_hits, pattern);
  return pattern;
}

}  // namespace accsim
