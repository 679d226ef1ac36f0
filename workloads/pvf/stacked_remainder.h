#pragma once
// The fault-free rest of a batch-1 graph run once for several PVF experiments. An
// experiment reruns the nodes its corrupted initializers change (incremental_run.h) up to
// the last node that reads a corrupted parameter (or a value computed from parameters
// alone out of one); from there on the graph is fault-free and differs only in its data
// values. The experiments resuming at the same node stack those values along the batch
// axis and run the remaining nodes once, at their count as batch: a fault-free array
// computes an image the same wherever it sits in a batch, so each row equals that
// experiment's own batch-1 rerun bit for bit (tested against it and against full runs).
// The node outputs' shapes at batch B are the graph's with the first dimension of every
// value computed from the input set to B; a graph whose data values do not all have
// batch 1 first is not batchable, nor is one whose batch-2 run does not reproduce its
// batch-1 runs (checked once per model by the PVF graph model).
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "arch/engine.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/record_index.h"

namespace accsim {

class ArrayRunner;
struct OperatorDef;

// One experiment of a stacked run: its image's recorded fault-free run and the values its
// rerun changed (graph values only, no initializers).
struct StackedMember {
  const GraphRun* golden = nullptr;
  const std::map<std::string, Tensor>* changed = nullptr;
  const RecordIndex* recorded = nullptr;  // golden's values by number; null: its map
};

class StackedRemainder {
 public:
  // Keeps a reference: `graph` (batch 1) must outlive it.
  explicit StackedRemainder(const Graph& graph);

  // Whether every value computed from the input has batch 1 first (else run() throws).
  bool batchable() const { return batchable_; }
  // The node after the last one that reads one of `changed` (initializers) or a value
  // computed from parameters alone out of one of them: where the fault-free rest starts.
  // Remembers the answer for one initializer (not for concurrent use: one per worker).
  std::size_t resume_node(const std::set<std::string>& changed);
  // Whether one of `changed` (graph values) is read from node `start` on or is a graph
  // output: otherwise the rest of the run is the fault-free one.
  bool reaches_rest(std::size_t start, const std::map<std::string, Tensor>& changed) const;
  // Nodes [start, end) at batch members.size(), each member's data values stacked in
  // order; the graph's first output, one row block per member.
  Tensor run(std::size_t start, const std::vector<StackedMember>& members, Engine& engine);
  // The whole fault-free graph at batch images.dim(0) (the images stacked), recorded
  // (run_graph's record): the jobs of the nodes that read the input and the values
  // computed from it; values from parameters alone are `fault_free`'s (a recorded run).
  GraphRun record(const Tensor& images, const GraphRun& fault_free, Engine& engine);
  // Whether `value` is the input or computed from it (batch first).
  bool data_value(const std::string& value) const { return data_values_.count(value) > 0; }

 private:
  std::size_t walk_resume(const std::set<std::string>& changed) const;  // resume_node, walking the graph
  const Graph& shapes_at(int batch);
  const std::vector<std::string>& stacked_inputs(std::size_t start);
  // Nodes [start, end) that read the input, at the batch of `shapes`, into `values`.
  // `consume`: a node may take over its input 0 when it is that value's last reader and
  // the value no graph output (operators then write in place instead of copying it).
  void run_data_nodes(std::size_t start, const Graph& shapes, std::map<std::string, Tensor>& values,
                      const GraphRun& fault_free, ArrayRunner& array, bool consume);
  Tensor* consumable(const Node& node, std::size_t index, std::map<std::string, Tensor>& values) const;

  const Graph& graph_;
  bool batchable_ = true;
  std::vector<const OperatorDef*> operators_;  // per node: find_operator, once
  std::vector<char> data_node_;           // per node: reads a value computed from the input
  std::set<std::string> data_values_;     // the input and every value computed from it
  std::map<std::string, std::size_t> producer_;  // value -> its node
  std::map<std::string, std::size_t> last_read_;  // value -> the last node that reads it
  std::map<std::string, std::size_t> single_resume_;  // initializer -> resume_node({it}), as asked
  std::map<int, std::unique_ptr<Graph>> shapes_;  // per batch: shapes and integer constants only
  std::map<std::size_t, std::vector<std::string>> inputs_;  // per start node: the data values it stacks
};

}  // namespace accsim
