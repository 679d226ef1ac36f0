#pragma once
// Maps a job's transient hardware faults (given in run cycles) to the error pattern
// they cause: which column sums and accumulator entries of which accumulation step
// and output position go wrong. Transients that strike while the array waits on a
// wire, or storage that is rewritten before it is read, are masked and left out.
#include "arch/conv_job.h"
#include "arch/error_pattern.h"
#include "arch/pe_faults.h"
#include "arch/schedule.h"

namespace accsim {

ErrorPattern map_transients(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults,
                            long long start_cycle);
// The same for a caller that has timed the job: job_cycles = closed_form_timing(job, array).cycles.
ErrorPattern map_transients(const ConvJob& job, const ArrayConfig& array, const PeFaults& faults,
                            long long start_cycle, long long job_cycles);

}  // namespace accsim
