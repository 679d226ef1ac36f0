#pragma once
// The per-stratum report of an adaptive PVF run (pvf.stop, docs/pvf.md): experiments
// spent, PVF with its 95% Wilson interval, the half-width reached, and what a
// fixed-count design (one count for every stratum) needs to reach the same widths.
#include <ostream>
#include <string>
#include <vector>

#include "workloads/experiments/wilson_interval.h"
#include "workloads/io/table.h"
#include "workloads/pvf/pvf_adaptive.h"

namespace accsim {

struct PvfStratumRow {
  PvfStratum stratum;
  std::string name;  // e.g. "conv1 bit 30"
  PvfStratumTally tally;
  Interval ci;       // of the unprotected PVF
  bool reached = false;     // half-width at or below the target (else the cap stopped it)
  long long fixed_needed = 0;  // experiments a fixed count needs for this stratum's target width
};

struct PvfAdaptiveSummary {
  std::vector<PvfStratumRow> rows;
  long long spent = 0;           // every stratum's experiments
  long long fixed_count = 0;     // the count a fixed design gives every stratum: max of fixed_needed
  long long fixed_spent = 0;     // fixed_count x strata
  long long worst_case_count = 0;  // the fixed count at PVF 0.5 (no knowledge of the rates), capped
};

// Experiments (spent in all, of which the fraction `counted` is counted) a stratum of PVF
// `rate` needs for a 95% Wilson half-width of at most `stop.half_width` (x rate when
// relative), at most stop.max_per_stratum.
long long fixed_count_needed(double rate, double counted, const PvfStop& stop);

PvfAdaptiveSummary summarize_adaptive(const PvfCampaign& campaign, const PvfResults& results);

void print_adaptive_summary(std::ostream& out, const PvfCampaign& campaign, const PvfAdaptiveSummary& summary);

// One row per stratum: model_index, target_index, bit (-1: spanned), name, experiments,
// n_correct, failures, pvf, pvf_lo, pvf_hi, half_width, reached, fixed_needed.
Table pvf_strata_table(const PvfAdaptiveSummary& summary);

}  // namespace accsim
