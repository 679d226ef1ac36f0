#include "workloads/run/swizzle_report.h"

#include <algorithm>

#include "arch/mapping.h"
#include "faultmodels/weight_footprint.h"
#include "workloads/run/engines.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

namespace {

// One policy: each recorded job of the fault-free run again on the faulty array, alone.
void add_policy_rows(const Graph& graph, const Tensor& input, const ArrayConfig& a, const std::vector<HardwareFault>& faults,
                     std::vector<SwizzleReportRow>& rows) {
  const PeFaults healthy, faulty(a, faults);
  FastEngine clean(a, healthy), broken(a, faulty);
  // Swizzling reorders the adder trees, so each policy has its own fault-free run.
  const GraphRun golden = run_graph(graph, input, clean, true);
  const std::size_t first = rows.size();
  for (const LayerRun& job : golden.jobs) {
    auto row = std::find_if(rows.begin() + first, rows.end(), [&](const SwizzleReportRow& r) { return r.layer == job.node; });
    if (row == rows.end()) {
      SwizzleReportRow added;
      added.layer = job.node;
      added.policy = a.swizzle;
      rows.push_back(added);
      row = rows.end() - 1;
    }
    const Mapping mapping(job.job.shape, a, a.swizzle, job.job.swizzle_seed);
    const auto mask = weight_footprint(job.job.shape, mapping, faults);
    row->weights_total += static_cast<long long>(mask.size());
    row->weights_affected += std::count(mask.begin(), mask.end(), std::uint8_t{1});
    const JobResult r = broken.run(job.job, job.input, job.weights, job.start_cycle);
    row->outputs_total += static_cast<long long>(job.output.size());
    row->outputs_affected += compare_outputs(job.output, r.output).corrupted;
  }
}

}  // namespace

std::vector<SwizzleReportRow> swizzle_report(const Graph& graph, const Tensor& input, const ArrayConfig& array,
                                             const std::vector<HardwareFault>& faults) {
  std::vector<SwizzleReportRow> rows;
  const bool pow2 = (array.atomic_c & (array.atomic_c - 1)) == 0 && (array.atomic_k & (array.atomic_k - 1)) == 0;
  for (const auto& name : swizzle_policy_names()) {
    ArrayConfig a = array;
    a.swizzle = parse_swizzle_policy(name);
    if (a.swizzle == SwizzlePolicy::xor_ && !pow2) continue;
    add_policy_rows(graph, input, a, faults, rows);
  }
  return rows;
}

Table swizzle_report_table(const std::vector<SwizzleReportRow>& rows, const std::vector<std::string>& layer_names) {
  const auto index_in = [](const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) - list.begin();
  };
  const auto integer = [](const char* name) { return ColumnSpec{name, CellType::integer, ""}; };
  Table t({integer("layer_index"), integer("policy_index"), integer("weights_affected"), integer("weights_total"),
           integer("outputs_affected"), integer("outputs_total")});
  for (const SwizzleReportRow& r : rows)
    t.add_row({index_in(layer_names, r.layer), index_in(swizzle_policy_names(), to_string(r.policy)),
               r.weights_affected, r.weights_total, r.outputs_affected, r.outputs_total});
  return t;
}

}  // namespace accsim
