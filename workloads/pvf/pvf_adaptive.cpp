#include "workloads/pvf/pvf_adaptive.h"

#include <algorithm>

#include "arch/random.h"
#include "workloads/experiments/wilson_interval.h"

namespace accsim {

namespace {

bool allows_bit(const ResolvedTarget& t, int bit) { return std::binary_search(t.bits.begin(), t.bits.end(), bit); }

// The bit strata of the targets `ts` (indices into `targets`): every bit one of them allows.
std::vector<int> bits_of(const std::vector<ResolvedTarget>& targets, const std::vector<int>& ts) {
  std::vector<int> bits;
  for (int t : ts) bits.insert(bits.end(), targets[static_cast<std::size_t>(t)].bits.begin(),
                               targets[static_cast<std::size_t>(t)].bits.end());
  std::sort(bits.begin(), bits.end());
  bits.erase(std::unique(bits.begin(), bits.end()), bits.end());
  return bits;
}

}  // namespace

std::vector<PvfStratum> pvf_strata(const PvfConfig& config, const std::vector<ResolvedTarget>& targets) {
  const PvfStop& stop = config.stop;
  const int models = static_cast<int>(config.faults.models.size()), count = static_cast<int>(targets.size());
  std::vector<PvfStratum> strata;
  for (int m = stop.by_model ? 0 : -1; m < (stop.by_model ? models : 0); ++m)
    for (int t = stop.by_target ? 0 : -1; t < (stop.by_target ? count : 0); ++t) {
      std::vector<int> ts;
      for (int u = 0; u < count; ++u)
        if (t < 0 || u == t) ts.push_back(u);
      if (!stop.by_bit) {
        strata.push_back({m, t, -1});
        continue;
      }
      for (int b : bits_of(targets, ts)) strata.push_back({m, t, b});
    }
  return strata;
}

double PvfStratumTally::half_width() const {
  const Interval ci = wilson_interval(failures, n);
  return (ci.hi - ci.lo) / 2;
}

std::vector<PvfStratumTally> tally_strata(const PvfResults& r) {
  std::vector<PvfStratumTally> tallies(r.strata.size());
  for (std::size_t i = 0; i < r.experiments.size(); ++i) {
    const PvfExperiment& e = r.experiments[i];
    if (!r.done[i] || e.stratum < 0) continue;
    PvfStratumTally& t = tallies[static_cast<std::size_t>(e.stratum)];
    ++t.spent;
    const PvfOutcome o = e.outcomes.at(0);
    if (o == PvfOutcome::not_counted) continue;
    ++t.n;
    t.failures += o == PvfOutcome::sdc || o == PvfOutcome::crash;
  }
  return tallies;
}

bool pvf_width_reached(const PvfStratumTally& t, const PvfStop& stop) {
  if (t.n == 0) return false;
  const double target = stop.relative ? stop.half_width * t.rate() : stop.half_width;
  return t.half_width() <= target;
}

bool pvf_stratum_stops(const PvfStratumTally& t, const PvfStop& stop) {
  return t.spent >= stop.max_per_stratum || pvf_width_reached(t, stop);
}

std::vector<std::pair<int, int>> stratum_candidates(const PvfStratum& s, const PvfConfig& config,
                                                    const std::vector<ResolvedTarget>& targets) {
  std::vector<std::pair<int, int>> out;
  for (int m = 0; m < static_cast<int>(config.faults.models.size()); ++m)
    for (int t = 0; t < static_cast<int>(targets.size()); ++t)
      if ((s.model < 0 || s.model == m) && (s.target < 0 || s.target == t) &&
          (s.bit < 0 || allows_bit(targets[static_cast<std::size_t>(t)], s.bit)))
        out.emplace_back(m, t);
  return out;
}

std::uint64_t adaptive_experiment_seed(std::uint64_t seed, int stratum, long long sample) {
  const std::uint64_t s = splitmix64(seed ^ 0x616461707469766bULL ^ splitmix64(static_cast<std::uint64_t>(stratum)));
  return splitmix64(s ^ splitmix64(0x5046u + static_cast<std::uint64_t>(sample)));
}

ResolvedTarget restrict_to_bit(const ResolvedTarget& target, int bit) {
  ResolvedTarget t = target;
  t.bits = {bit};
  t.bit_mask = 1u << bit;
  return t;
}

}  // namespace accsim
