#pragma once
// A graph's int64 data inputs (Graph::int_inputs: the indices an exported model gathers
// with, e.g. a DLRM's bags). They are data, not parameters: no fault targets them. A
// graph carries each as an unbound integer constant (its shape, no values) until
// bind_int_inputs gives it the values of one run; run_graph refuses an unbound one.
#include <map>
#include <string>
#include <vector>

#include "workloads/models/graph.h"

namespace accsim {

// Sets every int input of `graph` from `values` (by name). Each must be given, at the
// shape the graph was loaded with, and every value must index a row of each Gather that
// reads it: [0, rows - 1]. Throws std::invalid_argument naming the input, the offending
// value and its position, and the allowed range.
void bind_int_inputs(Graph& graph, const std::map<std::string, IntTensor>& values);

// "[2, 7]": a shape as these messages write it.
std::string shape_text(const std::vector<int>& shape);

// Whether every int input holds values for its shape.
bool int_inputs_bound(const Graph& graph);

}  // namespace accsim
