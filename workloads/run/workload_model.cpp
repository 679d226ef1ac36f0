#include "workloads/run/workload_model.h"

#include <algorithm>

#include "workloads/campaign/campaign_config.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/operators.h"
#include "workloads/models/relu_clip.h"
#include "workloads/models/workload_parameters.h"

namespace accsim {

namespace {

int array_nodes(const Graph& g) {
  return static_cast<int>(std::count_if(g.nodes.begin(), g.nodes.end(), [](const Node& n) {
    const OperatorDef* def = find_operator(n.op);
    return def && def->on_array;
  }));
}

WorkloadModel onnx_model(const WorkloadConfig& workload, const ActivationClip& clip) {
  WorkloadModel m;
  m.graph = workload.graph;
  if (clip.mode != ClipMode::none) {
    auto clipped = std::make_shared<Graph>(*workload.graph);
    set_relu_clips(*clipped, clip);
    m.graph = std::move(clipped);
  }
  m.title = m.graph->name + " (ONNX, " + std::to_string(m.graph->nodes.size()) + " nodes, " +
            std::to_string(array_nodes(*m.graph)) + " on the array)";
  m.model = workload.model;
  m.source = "ONNX file " + workload.model;
  m.input_name = "the model's input (per image)";
  return m;
}

WorkloadModel network_model(const WorkloadConfig& workload, const std::string& config_file, std::uint64_t seed) {
  const Network& net = workload.network;  // its clip is the mitigations'
  WorkloadParameters parameters = load_workload_parameters(workload, config_file, seed);
  WorkloadModel m;
  m.graph = std::make_shared<const Graph>(network_graph(net, parameters.params, 1));
  m.title = net.name;
  m.model = net.name;
  m.source = std::move(parameters.source);
  m.input_name = "workload.network.input";
  return m;
}

}  // namespace

WorkloadModel load_workload_model(const WorkloadConfig& workload, const ActivationClip& clip,
                                  const std::string& config_file, std::uint64_t seed) {
  return workload.graph ? onnx_model(workload, clip) : network_model(workload, config_file, seed);
}

WorkloadInput load_model_input(const WorkloadConfig& workload, const std::string& config_file, std::uint64_t seed,
                               const WorkloadModel& model, std::ostream& notes) {
  const std::vector<int>& shape = model.graph->inputs.at(0).shape;
  const int n = shape.at(0);
  const int first = std::max(0, std::min(workload.image_index, kCampaignTestImages - n));
  const std::vector<int> image(shape.begin() + 1, shape.end());
  return load_test_images(workload, config_file, image, model.input_name, first, n, seed, notes);
}

}  // namespace accsim
