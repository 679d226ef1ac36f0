#pragma once
// A memory-fault campaign's tables (docs/memory_faults.md): outcome rates with 95% Wilson
// intervals overall, by structure, kind and upset size; and the FIT table: per structure
// its size, occupancy, AVF and FIT for silent (SDC + crash) and detected (DUE) errors.
// Printed, written to HDF5 and to CSV.
#include <ostream>
#include <string>

#include "workloads/campaign/memory_campaign.h"
#include "workloads/io/results_file.h"
#include "workloads/io/table.h"

namespace accsim {

// Rows "all", "cbuf", "dram", the kinds, "1 bit", "2 bits", "3 bits" (those with
// experiments); columns experiments, masked, corrected, due, sdc, crash and each
// outcome's rate with its interval.
Table memory_rate_table(const MemoryCampaignResults& results);

// One row per structure of the campaign: `code`, `mbit` (code words x code bits / 2^20),
// `raw_fit_per_mbit`, `occupancy` (live word-cycles / all word-cycles of a full batch's
// run), `transients` (its transient experiments), `live_hits` (those that struck a live
// word), `corrected`, `due`, `sdc` (SDC + crash), `avf_sdc` = sdc / transients with its
// interval, `avf_due` likewise, `fit_raw` = raw FIT/Mbit x Mbit, `fit_sdc` = fit_raw x
// avf_sdc and `fit_due` = fit_raw x avf_due with their intervals.
Table memory_fit_table(const MemoryCampaignResults& results, const MemoryFaultConfig& config,
                       const std::vector<MemoryStructure>& structures);

void print_memory_campaign(std::ostream& out, const Table& rates, const Table& fit);

// /experiments/*, /summary/rates, /summary/fit, /occupancy attributes.
void write_memory_campaign(ResultsFile& h5, const MemoryCampaignResults& results, const Table& rates,
                           const Table& fit);

}  // namespace accsim
