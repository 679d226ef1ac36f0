#include "workloads/dlrm/parameters_in_use_order.h"

namespace accsim {

ParameterSet parameters_in_use_order(Graph& graph) {
  ParameterSet set;
  for (const Node& node : graph.nodes)
    for (const std::string& in : node.inputs) {
      const auto it = graph.initializers.find(in);
      if (it != graph.initializers.end() && !graph.constants.count(in) && set.find(in) < 0) set.add(in, it->second);
    }
  return set;
}

}  // namespace accsim
