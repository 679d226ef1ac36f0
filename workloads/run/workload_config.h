#pragma once
// The `workload` block of a config: what runs on the array (a network, an ONNX model or a
// SCALE-Sim topology) and where its images come from. The model loaders, input rules and
// timing take this, not the whole run config.
#include <memory>
#include <string>
#include <vector>

#include "arch/conv_job.h"
#include "workloads/io/fashion_mnist.h"
#include "workloads/models/graph.h"
#include "workloads/models/network.h"

namespace accsim {

struct WorkloadConfig {
  Network network = lenet5();
  // A SCALE-Sim topology instead of a network (workload.topology, relative to the
  // config's directory): independent layer jobs with seeded operands.
  std::string topology;
  int batch = 1;
  std::vector<ConvJob> topology_jobs;
  std::vector<std::string> topology_warnings;  // lines for stderr: what the topology's reader accepted with a caveat
  // An ONNX model instead of a network (workload.model, relative to the config's
  // directory), loaded with its batch fixed to `batch`.
  std::string model;
  std::shared_ptr<const Graph> graph;
  // workload.parameters: a parameter file (model_file.h) for the network, resolved
  // against the config's folder; "" = seeded Kaiming-uniform parameters.
  std::string parameters;
  int image_index = 0;                        // Fashion-MNIST test image
  std::string dataset_dir = kFashionMnistDir;  // relative to the config's folder, as every path of a config
};

}  // namespace accsim
