#pragma once
// How long a job takes on the array and how well it uses it.
#include "arch/array_config.h"
#include "arch/conv_job.h"

namespace accsim {

struct JobTiming {
  // cycles = atomic_ops + stall_cycles + data_fetch_stall_cycles + dram_stall_cycles
  //          + postprocess_cycles + mac_pipeline_depth
  long long cycles = 0;              // from job start to the last result leaving SDP
  long long atomic_ops = 0;          // cycles the array computes
  long long stall_cycles = 0;        // cycles the array waits for weights (CBUF -> shadow registers)
  long long weight_load_cycles = 0;  // cycles the shadow registers are being filled (overlapped or not)
  // The memory side (arch/memory_timing.h; all 0 without array.memory):
  long long data_fetch_stall_cycles = 0;  // cycles the array waits for input cubes from CBUF
  long long dram_stall_cycles = 0;        // the first fetch from DRAM + DRAM time the core does not hide
  long long postprocess_cycles = 0;       // SDP and PDP after the last atomic operation
  long long pdp_cycles = 0;               // the part of postprocess_cycles PDP adds to SDP's (pooled jobs)
  long long dram_read_bytes = 0, dram_write_bytes = 0, cbuf_read_bytes = 0, cbuf_write_bytes = 0;
  long long stripes = 0;
  long long macs = 0;                // useful multiply-accumulates (the layer's MACs)
  double utilisation = 0.0;          // macs / (cycles * PEs)

  bool operator==(const JobTiming& o) const {
    return cycles == o.cycles && atomic_ops == o.atomic_ops && stall_cycles == o.stall_cycles &&
           weight_load_cycles == o.weight_load_cycles && stripes == o.stripes && macs == o.macs &&
           data_fetch_stall_cycles == o.data_fetch_stall_cycles && dram_stall_cycles == o.dram_stall_cycles &&
           postprocess_cycles == o.postprocess_cycles && pdp_cycles == o.pdp_cycles && dram_read_bytes == o.dram_read_bytes &&
           dram_write_bytes == o.dram_write_bytes && cbuf_read_bytes == o.cbuf_read_bytes &&
           cbuf_write_bytes == o.cbuf_write_bytes;
  }
};

// Closed-form cycle count of a job (derived in docs/cycle_model.md), written
// independently of the cycle-level model that it is checked against. `pool`: the
// window PDP pools the output with on the fly (none: SDP writes every result back).
JobTiming closed_form_timing(const ConvShape& shape, const ArrayConfig& array, const PdpWindow& pool = {});
// The job's shape and pool window.
JobTiming closed_form_timing(const ConvJob& job, const ArrayConfig& array);

// Fills the memory-side fields of `t` (whose atomic_ops, stall_cycles and
// data_fetch_stall_cycles are set); cycles is the caller's sum.
void add_memory_side(JobTiming& t, const ConvShape& shape, const ArrayConfig& array, const PdpWindow& pool);

}  // namespace accsim
