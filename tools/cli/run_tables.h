#pragma once
// What `accsim run` prints after its header, for any model: one row per array node
// (layer) with its jobs' cycles, utilisation, stalls, corrupted outputs and CBUF fit, the
// predictions, and the swizzle report (docs/outputs.md has the same numbers).
#include <ostream>
#include <string>
#include <vector>

#include "arch/tensor.h"
#include "workloads/models/node_report.h"
#include "workloads/run/run_config.h"
#include "workloads/run/swizzle_report.h"
#include "workloads/run/workload_input.h"

namespace accsim {

// "array small (8x8, fp32, swizzle none)": the array as every header names it.
std::string array_title(const ArrayConfig& array);

void print_node_table(std::ostream& out, const std::vector<NodeReport>& rows);
// The run's energy: the layers' estimates summed, total and by access kind.
void print_energy_total(std::ostream& out, const std::vector<NodeReport>& rows);

// A classifier's top-1 (the first maximum) per image: one image as "label L, predicted
// class fault-free G, faulty F", a batch as one line per image (the first 8) and the
// accuracy. Prints nothing for outputs that are not [n, classes].
void print_predictions(std::ostream& out, const WorkloadInput& input, const Tensor& golden, const Tensor& faulty);

void print_swizzle_report(std::ostream& out, const std::vector<SwizzleReportRow>& report,
                          const std::vector<NodeReport>& rows);

}  // namespace accsim
