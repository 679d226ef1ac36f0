#pragma once
// How long a job takes on the array and how well it uses it.
#include "arch/array_config.h"
#include "arch/conv_job.h"

namespace accsim {

struct JobTiming {
  long long cycles = 0;              // from job start to the last result leaving the pipeline
  long long atomic_ops = 0;          // cycles the array computes
  long long stall_cycles = 0;        // cycles the array waits for weights
  long long weight_load_cycles = 0;  // cycles the shadow registers are being filled (overlapped or not)
  long long stripes = 0;
  long long macs = 0;                // useful multiply-accumulates (the layer's MACs)
  double utilisation = 0.0;          // macs / (cycles * PEs)

  bool operator==(const JobTiming& o) const {
    return cycles == o.cycles && atomic_ops == o.atomic_ops && stall_cycles == o.stall_cycles &&
           weight_load_cycles == o.weight_load_cycles && stripes == o.stripes && macs == o.macs;
  }
};

// Closed-form cycle count of a job (derived in docs/cycle_model.md), written
// independently of the cycle-level model that it is checked against.
JobTiming closed_form_timing(const ConvShape& shape, const ArrayConfig& array);

}  // namespace accsim
