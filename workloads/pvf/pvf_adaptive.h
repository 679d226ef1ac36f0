#pragma once
// Adaptive stopping of a PVF campaign (pvf.stop, docs/pvf.md "Adaptive stopping"): the
// strata, the per-stratum tallies and the stopping rule. A stratum draws experiments in
// rounds of stop.round and stops after the first round whose 95% Wilson half-width of
// its unprotected PVF is at most stop.half_width (times the PVF when relative), or when
// it reaches stop.max_per_stratum. The plan depends only on the config, the seed and the
// results of completed rounds: the same for any thread count and on resume.
#include <cstdint>
#include <vector>

#include "faultmodels/parameter_target.h"
#include "workloads/pvf/pvf_campaign.h"

namespace accsim {

// model x target x bit, each axis spanned (-1) unless stop stratifies it; a bit stratum
// exists where some target of it allows the bit.
std::vector<PvfStratum> pvf_strata(const PvfConfig& config, const std::vector<ResolvedTarget>& targets);

// A stratum's finished experiments under the unprotected variant.
struct PvfStratumTally {
  long long spent = 0;     // every finished experiment
  long long n = 0;         // counted: the fault-free model classifies the image correctly
  long long failures = 0;  // D: SDC or crash
  double rate() const { return n ? static_cast<double>(failures) / static_cast<double>(n) : 0.0; }
  double half_width() const;  // of the 95% Wilson interval of failures / n (0.5 when n = 0)
};

std::vector<PvfStratumTally> tally_strata(const PvfResults& results);

// Whether the target width is reached (stop.relative: half-width <= half_width * rate,
// never at rate 0).
bool pvf_width_reached(const PvfStratumTally& tally, const PvfStop& stop);
// Whether a stratum draws no more experiments: width reached or cap spent.
bool pvf_stratum_stops(const PvfStratumTally& tally, const PvfStop& stop);

// The candidates (model, target) an experiment of `stratum` draws among, in config order.
std::vector<std::pair<int, int>> stratum_candidates(const PvfStratum& stratum, const PvfConfig& config,
                                                    const std::vector<ResolvedTarget>& targets);

// The key of sample `sample` of stratum `stratum`'s draws.
std::uint64_t adaptive_experiment_seed(std::uint64_t seed, int stratum, long long sample);

// `target` restricted to one bit (a bit stratum's faults).
ResolvedTarget restrict_to_bit(const ResolvedTarget& target, int bit);

}  // namespace accsim
