#pragma once
// The model `run` and `errmodel` run, whatever the config names: the ONNX graph of
// workload.model, or the built-in or config network as a graph (network_graph.h) with the
// parameters of workload.parameters (seeded without it), batch 1. The mitigations'
// activation clip is on every Relu. Nothing after this knows which kind of model it is.
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "kernels/activations.h"
#include "workloads/models/graph.h"
#include "workloads/run/workload_config.h"
#include "workloads/run/workload_input.h"

namespace accsim {

struct WorkloadModel {
  std::shared_ptr<const Graph> graph;
  std::string title;        // for the run's header: "lenet5", "resnet8_fmnist (ONNX, 40 nodes, 10 on the array)"
  std::string model;        // the network's name or the ONNX file
  std::string source;       // where its parameters come from: "parameters from FILE", "seeded ...", "ONNX file FILE"
  std::string input_name;   // what the input is called in notes: "workload.network.input", ...
};

// `clip` is the top-level mitigations' activation clip; `config_file` names the config in
// errors. `seed` seeds the parameters of a network without workload.parameters.
WorkloadModel load_workload_model(const WorkloadConfig& workload, const ActivationClip& clip,
                                  const std::string& config_file, std::uint64_t seed);

// The model's batch of test images: image_index.. (moved back so that they exist), or
// seeded synthetic images with a note on `notes` (workload_input.h).
WorkloadInput load_model_input(const WorkloadConfig& workload, const std::string& config_file, std::uint64_t seed,
                               const WorkloadModel& model, std::ostream& notes);

}  // namespace accsim
