#pragma once
// The performance view of a model (an ONNX model or a network, as a graph) at one sweep
// point, as time_workload gives it for topologies, and as `accsim --config` runs the
// model (workload_model.h: the mitigations' activation clip on every Relu, the faulty run
// behind the mitigations' check when there is one): its input batch (test images
// workload.image_index..) fault-free and with the point's faults, both recorded; every
// array job is one LayerTiming (the faulty run's timing, the analytical estimate, and
// the elements of the job's output the faults changed).
#include <cstdint>
#include <string>

#include "workloads/run/run_config.h"
#include "workloads/run/workload_timing.h"

namespace accsim {

// `rc.workload.topology` must be empty.
WorkloadTiming time_graph_workload(const RunConfig& rc, const std::string& engine, std::uint64_t seed);

}  // namespace accsim
