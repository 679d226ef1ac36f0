#include "workloads/campaign/campaign_model.h"

#include "workloads/campaign/graph_campaign.h"
#include "workloads/models/network_graph.h"
#include "workloads/models/workload_parameters.h"

namespace accsim {

namespace {

CampaignModel onnx_model(const WorkloadConfig& workload, const ActivationClip& clip, const std::string& config_file) {
  CampaignModel m;
  m.at = [workload, clip, config_file](int batch) { return load_graph_model(workload, clip, config_file, batch); };
  m.origin = config_file + ": workload.model";
  return m;
}

// The command's own parameter file first, then the workload's trained parameters.
CampaignModel network_model(const WorkloadConfig& workload, const std::string& config_file, const std::string& own_key,
                            const std::string& own_file, std::uint64_t seed, std::ostream& notes) {
  const bool own = !own_file.empty();
  const std::string& file = own ? own_file : workload.parameters;
  WorkloadParameters p =
      load_network_parameters(config_file, own ? own_key : "workload.parameters", file, workload.network, seed);
  if (file.empty())
    notes << "accsim: note: neither " << own_key
          << " nor workload.parameters is set; using untrained seeded Kaiming-uniform parameters (seed " << seed << ")\n";
  CampaignModel m;
  auto params = std::make_shared<const NetworkParameters>(std::move(p.params));
  const Network net = workload.network;  // its clip is the top-level mitigations'
  m.at = [net, params](int batch) { return std::make_shared<const Graph>(network_graph(net, *params, batch)); };
  m.source = std::move(p.source);
  m.origin = config_file + ": " + (own ? own_key : file.empty() ? "workload.network" : "workload.parameters");
  return m;
}

}  // namespace

CampaignModel load_campaign_model(const WorkloadConfig& workload, const ActivationClip& clip,
                                  const std::string& config_file, const std::string& own_key,
                                  const std::string& own_file, std::uint64_t seed, std::ostream& notes) {
  return workload.graph ? onnx_model(workload, clip, config_file)
                        : network_model(workload, config_file, own_key, own_file, seed, notes);
}

}  // namespace accsim
