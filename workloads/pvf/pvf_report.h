#pragma once
// A PVF campaign's summary: PVF = D / N with 95% Wilson intervals per fault model and
// target, per bit position (single-bit experiments), and per mitigation variant with
// its recovery and overheads; printed as tables, written to HDF5 and CSV (docs/pvf.md).
#include <ostream>
#include <string>
#include <vector>

#include "workloads/pvf/pvf_campaign.h"
#include "workloads/io/results_file.h"
#include "workloads/io/table.h"
#include "workloads/experiments/wilson_interval.h"

namespace accsim {

struct PvfRow {
  int variant = 0, model = 0;
  std::string group;              // a target's name, "bit N", or "all targets"
  int target = -1;                // by_target rows: index into the config's targets
  int bit = -1;                   // by_bit rows
  std::uint64_t parameters = 0;   // elements of the target(s)
  long long experiments = 0;      // every finished experiment of the row
  long long n = 0;                // N: those whose image the variant's fault-free model gets right
  long long sdc = 0, crash = 0;   // D = sdc + crash
  Interval pvf_ci, crash_ci;      // 95% Wilson intervals of D / N and crash / N
  long long failures() const { return sdc + crash; }
  double pvf() const { return n ? static_cast<double>(failures()) / static_cast<double>(n) : 0.0; }
  double crash_rate() const { return n ? static_cast<double>(crash) / static_cast<double>(n) : 0.0; }
};

struct PvfSummary {
  std::vector<PvfRow> by_target;  // [variant][model][target]
  std::vector<PvfRow> by_bit;     // [variant][model][bit], bits with single-bit experiments only
  std::vector<PvfRow> overall;    // [variant][model]: every target pooled
};

// Over the finished experiments.
PvfSummary summarize_pvf(const PvfCampaign& campaign, const PvfResults& results);

void print_pvf_summary(std::ostream& out, const PvfCampaign& campaign, const PvfResults& results,
                       const PvfSummary& summary);

// One row per experiment of `rows`: <group>/model_index, target_index, image, bit_flips,
// bit, tensor, element, old_value, new_value, outcome [rows x variants] (docs/outputs.md).
void write_pvf_experiment_records(ResultsFile& h5, const std::string& group, const std::vector<const PvfExperiment*>& rows,
                                  std::size_t variants);

// /experiments/*, /summary/{by_target,by_bit,overall}, /variants, /targets, /tensors, /models
// (docs/outputs.md).
void write_pvf_results(ResultsFile& h5, const PvfCampaign& campaign, const PvfResults& results,
                       const PvfSummary& summary);

// One CSV row per summary row: variant, model, kind (target|bit|all), group, bit,
// parameters, experiments (all), n_correct (N), failures (D), pvf, pvf_lo, pvf_hi, sdc,
// crash, crash_rate, crash_lo, crash_hi, cycles, cycle_overhead, storage_overhead.
Table pvf_csv_table(const PvfCampaign& campaign, const PvfResults& results, const PvfSummary& summary);

}  // namespace accsim
