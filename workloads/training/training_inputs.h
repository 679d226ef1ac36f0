#pragma once
// What `accsim train` reads of a run config: training_inputs picks it out, and run_training
// (training_run.h) and everything below it read nothing else.
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "kernels/activations.h"
#include "workloads/run/workload_config.h"
#include "workloads/training/training_config.h"

namespace accsim {

struct RunConfig;

struct TrainingInputs {
  std::string file;       // the config: named in errors, its stem titles the report
  std::string json_text;  // the config as read: in the resume key and the results' attributes
  ArrayConfig array;
  std::vector<HardwareFault> faults;
  WorkloadConfig workload;
  ActivationClip clip;                // mitigations.activation_clip, on every Relu
  bool prune_faulty_weights = false;  // mitigations.prune_faulty_weights
  TrainingConfig training;
};

TrainingInputs training_inputs(const RunConfig& rc);

}  // namespace accsim
