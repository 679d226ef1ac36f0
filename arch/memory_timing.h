#pragma once
// What the memory side adds to a job's time on the array, and the bytes it moves
// (docs/cycle_model.md, "Memory side"). The closed form adds these terms up; the SystemC
// pipeline (sim/) gets them from its units instead (CDMA waits for the first fetch, SDP
// for the DRAM stream and its own tail, CMAC steps the CBUF data port per atomic
// operation), using only k, the first fetch's bytes and the DRAM channel from here.
//   k = ceil(atomic_c * bytes_per_element / cbuf_read_bytes_per_cycle): cycles per atomic
//       operation (CSC reads its input cube over k cycles; the array fires in the last)
//   prologue = dram_latency + transfer(first fetch): CDMA brings the first kernel group's
//       weights (streamed weights: the first stripe's) and the input rows of the first
//       output row before CSC can start
//   rest = transfer(dram read + write bytes - first fetch): overlaps the core's time;
//       dram excess = max(0, rest - core)   core = k * atomic_ops + weight-load stalls
//   post-processing = max(ceil(L_T * cols_last / sdp), ceil(outputs / sdp) - core):
//       SDP drains the last tile after the array ends, and the whole job's results if
//       it is slower than the core
//   with a pool window (PDP on the fly): PDP takes every SDP result at pdp per cycle,
//       pdp tail = max(ceil(L_T * cols_last / pdp), ceil(outputs / pdp) - core), and
//       post-processing = max(SDP's tail, PDP's tail); only the pooled results are
//       written back
// Without array.memory every term is 0 and k = 1.
#include "arch/array_config.h"
#include "arch/conv_job.h"
#include "arch/pdp_window.h"

namespace accsim {

struct MemoryTraffic {
  long long dram_read_bytes = 0;   // feature data once + weights x weight passes
  long long dram_data_read_bytes = 0, dram_weight_read_bytes = 0;  // its two parts
  long long cbuf_data_read_bytes = 0, cbuf_weight_read_bytes = 0;  // cbuf_read_bytes' two parts
  long long dram_write_bytes = 0;  // results written back by SDP (by PDP: the pooled results)
  long long cbuf_write_bytes = 0;  // everything CDMA fetched
  long long cbuf_read_bytes = 0;   // CSC: input cubes (one per atomic operation) + stripe weights
  long long first_fetch_bytes = 0; // the part of the reads the job waits for before it starts
};

int cycles_per_atomic_op(const ArrayConfig& array);
// `pool`: the job's pool window (PDP on the fly), if any.
MemoryTraffic memory_traffic(const ConvShape& shape, const ArrayConfig& array, const PdpWindow& pool = {});
// Cycles before the first weight load can start.
long long memory_prologue_cycles(const ConvShape& shape, const ArrayConfig& array);

struct MemoryTail {
  long long dram_excess = 0;      // DRAM traffic the core's time does not hide
  long long postprocess = 0;      // SDP and PDP after the last atomic operation
  long long pdp = 0;              // the part of postprocess that PDP adds to SDP's tail
};
// A post-processor taking `elements_per_cycle` results per cycle since the core started,
// after the core's `core` cycles: the last tile's `last` results after the core ends, and
// all `all` results if the unit is slower than the core (SDP, PDP; both engines).
long long postprocessor_tail(long long last, long long all, long long core, long long elements_per_cycle);
// `core_cycles`: k * atomic_ops + weight-load stalls of the job.
MemoryTail memory_tail(const ConvShape& shape, const ArrayConfig& array, long long core_cycles,
                       const PdpWindow& pool = {});
// Results written back when PDP pools on the fly: N * K * out_h * out_w.
long long pooled_results(const ConvShape& shape, const PdpWindow& pool);

}  // namespace accsim
