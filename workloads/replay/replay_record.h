#pragma once
// What every replay's full record holds besides its command's own experiment row
// (docs/outputs.md): per image the top-5 classes, logits and margins of the fault-free
// and the faulty run, and every node's fault-free and faulty output of a run.
#include <cstdint>
#include <string>
#include <vector>

#include "arch/tensor.h"
#include "workloads/io/results_file.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

// Per image, in the run's order: what /images/* holds.
class ImageRecords {
 public:
  // The images of one batch: fault-free and faulty logits, [images x classes] each.
  void add(const Tensor& golden, const Tensor& faulty);
  // /images/{labels, golden_top5, faulty_top5, golden_margin, margin, nonfinite,
  // golden_logits, faulty_logits}; `labels` per image.
  void write(ResultsFile& h5, const std::vector<int>& labels) const;

 private:
  std::vector<std::int64_t> golden_top_, faulty_top_, nonfinite_;  // [images x top], [images x top], [images]
  std::vector<double> golden_margin_, margin_;
  std::vector<float> golden_logits_, faulty_logits_;  // [images x classes]
  int classes_ = 0, top_ = 0;
};

// Every node's first output under `at`: `at`/golden/<k> and `at`/faulty/<k> for node k of `graph`.
void write_node_outputs(ResultsFile& h5, const std::string& at, const Graph& graph, const GraphRun& golden,
                        const GraphRun& faulty);

// The first node of `graph` with an output that holds a NaN/Inf in `faulty` and differs
// from `golden`: where the fault turned values non-finite (-1: nowhere).
int first_nonfinite_node(const Graph& graph, const GraphRun& golden, const GraphRun& faulty);

}  // namespace accsim
