#pragma once
// What one hardware fault does to one batch of labelled images run through a graph model
// (an ONNX model or a built-in network, network_graph.h): the batch's recorded fault-free
// run is computed once (`GraphGoldenBatch`); an experiment re-runs the graph against it
// with the incremental rerun (workloads/models/incremental_run.h), which recomputes a
// node only when one of its inputs differs or when the fault may act on its jobs:
//  - a stuck-at: every array node with a job the fault can change
//    (workloads/campaign/stuck_at_activity.h: the faulty column serves a channel; for weight and
//    input registers of fp32 arrays, the register holds a value whose bits it alters);
//  - a transient: the one array node whose jobs' cycle window holds its cycle, when
//    the flip reaches a result there (faultmodels/transient_mapper.h); otherwise nothing.
// and a recomputed array job computes only the output planes that can differ from the
// recorded ones (workloads/models/plane_rerun_engine.h).
// Without the shortcut the whole graph runs again on the faulty array; both give
// bit-identical results (tests/workloads/models/graph_fault_evaluator_test.cpp).
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "arch/array_config.h"
#include "arch/hardware_fault.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"
#include "workloads/models/batch_effect.h"

namespace accsim {

struct GraphGoldenBatch {
  const Graph* graph = nullptr;     // the model at this batch's size
  GraphRun run;                     // recorded: every job and value
  std::vector<Tensor> stationary;   // per job of run.jobs: its stationary operand [k, c, r, s]
  std::vector<Mapping> mappings;    // per job of run.jobs: its Mapping on the array
  std::map<std::string, std::vector<std::size_t>> node_jobs;  // array node -> its jobs in run.jobs
  std::vector<long long> node_starts;  // per node of graph: node_start_cycles (incremental_run.h)
  std::vector<int> labels;          // [n]
  std::vector<int> predictions;     // [n] argmax of the fault-free logits (first maximum)
  std::vector<char> correct;        // [n] prediction == label
  std::set<std::string> finite_values;  // recorded values without a NaN or Inf
  int size() const { return static_cast<int>(labels.size()); }
};

// A model that differs from a batch's recorded one in some initializers (pruned weights):
// `graph` is the recorded graph with the initializers named in `initializers` changed.
struct ChangedParameters {
  const Graph* graph = nullptr;
  std::set<std::string> initializers;
};

class GraphFaultEvaluator {
 public:
  explicit GraphFaultEvaluator(const ArrayConfig& array) : array_(array) {}

  // `images`: the graph's input ([n, ...] as the graph says), n labels. The graph's
  // first output must be logits [n, classes]. Keeps a pointer to `graph`.
  GraphGoldenBatch golden(const Graph& graph, const Tensor& images, const std::vector<int>& labels) const;

  // The graph's nodes that run on the array, in order: the trace's columns.
  static std::vector<std::string> array_nodes(const Graph& graph);
  // The index in array_nodes() of the node a transient at `cycle` strikes, or -1.
  static int node_at_cycle(const GraphGoldenBatch& golden, long long cycle);

  // `fault` on the batch: `faults` is PeFaults(array, {fault}), compiled once per
  // experiment. `changed`: run that model instead of the recorded one (its changed
  // initializers rerun what they reach), compared with the recorded fault-free run.
  // Thread-safe (const).
  BatchEffect evaluate(const GraphGoldenBatch& golden, const HardwareFault& fault, const PeFaults& faults,
                       bool shortcut = true, const ChangedParameters* changed = nullptr) const;
  // The batch's whole graph rerun on the faulty array (what evaluate() without the
  // shortcut compares), every value recorded. Thread-safe (const).
  GraphRun full_run(const GraphGoldenBatch& golden, const PeFaults& faults, const Graph* graph = nullptr) const;
  // The batch's effect when the model gives `logits` (no trace): predictions, images
  // turned wrong, images with a NaN/Inf logit.
  static BatchEffect classify(const GraphGoldenBatch& golden, const Tensor& logits);

 private:
  bool stuck_at_touches(const GraphGoldenBatch& golden, const Node& node, const HardwareFault& fault,
                        const PeFaults& faults) const;
  // The array node whose job a transient's flip reaches, or "" when it reaches none.
  std::string transient_node(const GraphGoldenBatch& golden, const PeFaults& faults, long long cycle) const;

  ArrayConfig array_;
};

}  // namespace accsim
