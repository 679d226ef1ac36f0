#pragma once
// `accsim train` on an ONNX graph model (workload.model): run_training's contract
// (training_run.h) with GraphTrainer steps. The parameters start from the file's
// initializers or, with training.init "seeded", from graph_init.h. The checkpoint holds
// the parameters, the optimizer's state, the running statistics and the position in the
// seeded data order, so a run killed at any point and rerun ends with the same bits.
#include <ostream>

#include "workloads/training/training_run.h"

namespace accsim {

TrainingResult run_graph_training(const RunConfig& rc, const TrainingOptions& options, std::ostream& out,
                                  std::ostream& progress);

}  // namespace accsim
