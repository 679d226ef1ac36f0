#include "workloads/models/node_report.h"

#include <map>

#include "workloads/models/operators.h"

namespace accsim {

bool fits_cbuf(const ConvShape& s, const ArrayConfig& a) {
  const long long elements = static_cast<long long>(s.n) * s.c * s.h * s.w + static_cast<long long>(s.k) * s.c * s.r * s.s;
  return elements * bytes_per_element(a.datatype) <= a.cbuf_bytes;
}

std::vector<NodeReport> array_node_reports(const Graph& graph, const GraphRun& golden, const GraphRun& faulty,
                                           const ArrayConfig& array, const EnergyTable& energy) {
  std::map<std::string, NodeReport> by_node;
  for (const LayerRun& job : faulty.jobs) {
    NodeReport& r = by_node[job.node];
    if (r.jobs == 0) {
      r.start_cycle = job.start_cycle;
      r.first_job = job.job.shape;
    }
    ++r.jobs;
    r.cycles += job.timing.cycles;
    r.macs += job.timing.macs;
    r.stall_cycles += job.timing.stall_cycles;
    r.weight_load_cycles += job.timing.weight_load_cycles;
    r.data_fetch_stall_cycles += job.timing.data_fetch_stall_cycles;
    r.dram_stall_cycles += job.timing.dram_stall_cycles;
    r.postprocess_cycles += job.timing.postprocess_cycles;
    r.dram_read_bytes += job.timing.dram_read_bytes;
    r.dram_write_bytes += job.timing.dram_write_bytes;
    const EnergyCounts c = energy_counts(job.timing);
    r.energy_counts.macs += c.macs, r.energy_counts.cbuf_bytes += c.cbuf_bytes, r.energy_counts.dram_bytes += c.dram_bytes;
    r.fits_cbuf = r.fits_cbuf && fits_cbuf(job.job.shape, array);
  }
  std::vector<NodeReport> rows;
  for (const Node& node : graph.nodes) {
    const OperatorDef* def = find_operator(node.op);
    if (!def || !def->on_array) continue;
    NodeReport r = by_node[node.name];
    r.node = node.name;
    r.op = node.op;
    r.output_shape = graph.shape_of(node.outputs[0]);
    r.utilisation = r.cycles ? static_cast<double>(r.macs) / (static_cast<double>(r.cycles) * array.pes()) : 0.0;
    r.energy = estimate_energy(r.energy_counts, array.datatype, energy);
    r.diff = compare_outputs(golden.values.at(node.outputs[0]), faulty.values.at(node.outputs[0]));
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace accsim
