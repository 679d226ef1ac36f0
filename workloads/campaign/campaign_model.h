#pragma once
// The model `campaign` and `pvf` run, at any batch size, whatever the config names: the
// ONNX graph of workload.model (load_graph_model, graph_campaign.h), or the built-in or
// config network as a graph (workloads/models/network_graph.h) with the parameters of the
// command's own key (campaign.model, pvf.model), else workload.parameters, else seeded
// Kaiming-uniform ones (with a note). Both carry the top-level activation clip at every
// Relu. Nothing after this knows which kind of model it is.
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "kernels/activations.h"
#include "workloads/models/graph.h"
#include "workloads/run/workload_config.h"

namespace accsim {

struct CampaignModel {
  // The model taking `batch` images.
  std::function<std::shared_ptr<const Graph>(int batch)> at;
  // Where a network's parameters come from ("parameters from FILE", "seeded Kaiming-uniform
  // parameters (seed N)"); "" for an ONNX model, which the command describes itself.
  std::string source;
  std::string origin;  // names the model in errors, e.g. "x.json: campaign.model"
};

// `clip` is the top-level activation clip, `config_file` names the config in errors;
// `own_key` ("campaign.model") names the command's parameter file `own_file` ("" = none).
CampaignModel load_campaign_model(const WorkloadConfig& workload, const ActivationClip& clip,
                                  const std::string& config_file, const std::string& own_key,
                                  const std::string& own_file, std::uint64_t seed, std::ostream& notes);

}  // namespace accsim
