#pragma once
// For the configured faults: per array node (layer) of a graph and per swizzle policy,
// how many weights (its jobs' stationary operands) meet a faulty PE and how many output
// elements its jobs get wrong (each job run alone on its fault-free input, so the
// numbers show the mapping, not propagation).
#include <string>
#include <vector>

#include "arch/hardware_fault.h"
#include "workloads/models/graph.h"
#include "workloads/io/table.h"

namespace accsim {

struct SwizzleReportRow {
  std::string layer;  // the array node
  SwizzlePolicy policy = SwizzlePolicy::none;
  long long weights_affected = 0, weights_total = 0;
  long long outputs_affected = 0, outputs_total = 0;
  double weight_fraction() const { return weights_total ? double(weights_affected) / weights_total : 0.0; }
  double output_fraction() const { return outputs_total ? double(outputs_affected) / outputs_total : 0.0; }
};

// Every policy the array supports (xor needs power-of-two dimensions), fast engine; rows
// policy-major, nodes in run order.
std::vector<SwizzleReportRow> swizzle_report(const Graph& graph, const Tensor& input, const ArrayConfig& array,
                                             const std::vector<HardwareFault>& faults);

// The report as a results table, one row per (layer, policy): `layer_index` into
// `layer_names`, `policy_index` into swizzle_policy_names(), then the four counts.
Table swizzle_report_table(const std::vector<SwizzleReportRow>& rows, const std::vector<std::string>& layer_names);

}  // namespace accsim
