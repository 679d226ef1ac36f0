#include "workloads/models/node_report.h"

#include <map>

#include "workloads/models/operators.h"

namespace accsim {

std::vector<NodeReport> array_node_reports(const Graph& graph, const GraphRun& golden, const GraphRun& faulty, int pes) {
  std::map<std::string, NodeReport> by_node;
  for (const LayerRun& job : faulty.jobs) {
    NodeReport& r = by_node[job.node];
    if (r.jobs == 0) r.start_cycle = job.start_cycle;
    ++r.jobs;
    r.cycles += job.timing.cycles;
    r.macs += job.timing.macs;
    r.stall_cycles += job.timing.stall_cycles;
    r.weight_load_cycles += job.timing.weight_load_cycles;
  }
  std::vector<NodeReport> rows;
  for (const Node& node : graph.nodes) {
    const OperatorDef* def = find_operator(node.op);
    if (!def || !def->on_array) continue;
    NodeReport r = by_node[node.name];
    r.node = node.name;
    r.op = node.op;
    r.output_shape = graph.shape_of(node.outputs[0]);
    r.utilisation = r.cycles ? static_cast<double>(r.macs) / (static_cast<double>(r.cycles) * pes) : 0.0;
    r.diff = compare_outputs(golden.values.at(node.outputs[0]), faulty.values.at(node.outputs[0]));
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace accsim
