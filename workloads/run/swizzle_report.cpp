#include "workloads/run/swizzle_report.h"

#include <algorithm>

#include "arch/mapping.h"
#include "faultmodels/weight_footprint.h"
#include "workloads/run/engines.h"
#include "workloads/models/inference.h"

namespace accsim {

std::vector<SwizzleReportRow> swizzle_report(const Network& net, const NetworkParameters& params, const Tensor& images,
                                             const ArrayConfig& array, const std::vector<HardwareFault>& faults) {
  std::vector<SwizzleReportRow> rows;
  const PeFaults healthy, faulty(array, faults);
  const bool pow2 = (array.atomic_c & (array.atomic_c - 1)) == 0 && (array.atomic_k & (array.atomic_k - 1)) == 0;
  for (const auto& name : swizzle_policy_names()) {
    ArrayConfig a = array;
    a.swizzle = parse_swizzle_policy(name);
    if (a.swizzle == SwizzlePolicy::xor_ && !pow2) continue;
    FastEngine clean(a, healthy), broken(a, faulty);
    // Swizzling reorders the adder trees, so each policy has its own fault-free run.
    const NetworkRun golden = run_network(net, params, images, clean);
    for (std::size_t i = 0; i < golden.layers.size(); ++i) {
      const LayerRun& l = golden.layers[i];
      SwizzleReportRow row;
      row.layer = l.job.layer;
      row.policy = a.swizzle;
      const Mapping mapping(l.job.shape, a, a.swizzle, l.job.swizzle_seed);
      const auto mask = weight_footprint(l.job.shape, mapping, faults);
      row.weights_total = static_cast<long long>(mask.size());
      row.weights_affected = std::count(mask.begin(), mask.end(), std::uint8_t{1});
      const JobResult r = broken.run(l.job, l.input, params.weights[i], l.start_cycle);
      row.outputs_total = static_cast<long long>(l.output.size());
      row.outputs_affected = compare_outputs(l.output, r.output).corrupted;
      rows.push_back(row);
    }
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
