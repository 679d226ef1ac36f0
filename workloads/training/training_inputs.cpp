#include "workloads/training/training_inputs.h"

#include "workloads/run/run_config.h"

namespace accsim {

TrainingInputs training_inputs(const RunConfig& rc) {
  return {rc.file, rc.json_text, rc.array, rc.faults, rc.workload, rc.mitigations.clip,
          rc.mitigations.prune_faulty_weights, rc.training};
}

}  // namespace accsim
