#include "workloads/pvf/pvf_setup.h"

#include <filesystem>
#include <stdexcept>

#include "workloads/campaign/graph_campaign.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/workload_parameters.h"
#include "workloads/pvf/pvf_graph_model.h"
#include "workloads/run/workload_input.h"

namespace accsim {

namespace {

// How the header names an ONNX model and its parameters.
void describe_onnx(const RunConfig& rc, const Graph& g, PvfSetup& s) {
  s.model_name = std::filesystem::path(rc.workload.model).filename().string() + " (ONNX, " +
                 std::to_string(g.nodes.size()) + " nodes)";
  std::size_t tensors = 0, values = 0;
  for (const auto& [name, t] : g.initializers)
    if (!g.constants.count(name)) ++tensors, values += t.size();
  s.model_source = "its initializers (" + std::to_string(tensors) + " tensors, " + std::to_string(values) + " parameters)";
}

// The network's PVF runs on its graph with batch 1 (pvf_graph_model.h builds it from the
// network and its parameters, bit for bit the chain's run), as an ONNX model's does;
// synthetic images are labelled by that graph.
void network_setup(const RunConfig& rc, std::uint64_t seed, std::ostream& notes, PvfSetup& s) {
  const PvfConfig& pc = *rc.pvf;
  const Network& net = rc.workload.network;
  const bool own = !pc.model.empty();
  const std::string& file = own ? pc.model : rc.workload.parameters;
  WorkloadParameters p = load_network_parameters(rc.file, own ? "pvf.model" : "workload.parameters", file, net, seed);
  if (file.empty())
    notes << "accsim: note: neither pvf.model nor workload.parameters is set; using untrained seeded Kaiming-uniform "
             "parameters (seed " << seed << ")\n";
  PvfCampaign& c = s.campaign;
  c.network = net;
  c.params = std::move(p.params);
  c.model_origin = rc.file + ": " + (own ? "pvf.model" : file.empty() ? "workload.network" : "workload.parameters");
  s.model_name = net.name;
  s.model_source = std::move(p.source);
  WorkloadInput in = load_test_images(rc.workload, rc.file, net, pc.test_offset, pc.test_limit, seed, notes);
  c.images = std::move(in.images);
  s.input_source = std::move(in.source);
  if (!in.synthetic()) {
    c.labels = std::move(in.labels);
    return;
  }
  notes << "accsim: note: the synthetic images are labelled with the fault-free model's predictions (an SDC is any "
           "changed prediction)\n";
  c.labels = graph_predicted_labels(network_graph(net, c.params, 1), rc.array, c.images, pc.threads);
}

// A graph model runs each pool image alone: the model with batch 1 (and the top-level
// activation clip at every Relu node).
void graph_setup(const RunConfig& rc, std::uint64_t seed, std::ostream& notes, PvfSetup& s) {
  const PvfConfig& pc = *rc.pvf;
  PvfCampaign& c = s.campaign;
  c.graph = load_graph_model(rc.workload, rc.mitigations.clip, rc.file, 1);
  c.model_origin = rc.file + ": workload.model";
  const Graph& g = *c.graph;
  describe_onnx(rc, g, s);
  const std::vector<int> image(g.inputs.at(0).shape.begin() + 1, g.inputs.at(0).shape.end());
  WorkloadInput in = load_test_images(rc.workload, rc.file, image, "the model's input (per image)", pc.test_offset, pc.test_limit, seed, notes);
  c.images = std::move(in.images);
  s.input_source = std::move(in.source);
  if (in.synthetic()) {
    notes << "accsim: note: the synthetic images are labelled with the fault-free model's predictions (an SDC is any "
             "changed prediction)\n";
    c.labels = graph_predicted_labels(g, rc.array, c.images, pc.threads);
  } else {
    c.labels = std::move(in.labels);
  }
}

}  // namespace

PvfSetup load_pvf_setup(const RunConfig& rc, std::uint64_t seed, std::ostream& notes) {
  if (!rc.pvf) throw std::invalid_argument("load_pvf_setup: the config has no pvf object");
  PvfSetup s;
  if (rc.workload.graph) graph_setup(rc, seed, notes, s);
  else network_setup(rc, seed, notes, s);
  s.campaign.array = rc.array;
  s.campaign.config = *rc.pvf;
  s.campaign.seed = seed;
  return s;
}

}  // namespace accsim
