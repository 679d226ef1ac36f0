#pragma once
// The performance view of a model (an ONNX model or a network, as a graph) at one sweep
// point, as time_workload gives it for topologies, and as `accsim --config` runs the
// model (workload_model.h: the mitigations' activation clip on every Relu, the faulty run
// behind the mitigations' check when there is one): its input batch fault-free and with
// the point's faults, both recorded; every array job is one LayerTiming (the faulty run's
// timing, the analytical estimate, and the elements of the job's output the faults
// changed).
#include <string>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "arch/tensor.h"
#include "workloads/mitigations/mitigation_config.h"
#include "workloads/run/workload_model.h"
#include "workloads/run/workload_timing.h"

namespace accsim {

// `check` is the top-level mitigations' check (the model carries their clip); `images` its
// input batch (load_model_input).
WorkloadTiming time_graph_workload(const ArrayConfig& array, const std::vector<HardwareFault>& faults,
                                   MitigationCheck check, const WorkloadModel& model, const Tensor& images,
                                   const std::string& engine);

}  // namespace accsim
