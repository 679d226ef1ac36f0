#pragma once
// The recorded fault-free runs of a PVF pool's images (run_graph(graph, image, engine,
// true) of a batch-1 graph, one per image), computed in batches: the graph's nodes that
// read the input run once per batch of images stacked along the batch axis
// (stacked_remainder.h) and each image's record is sliced out of the batch's. A
// fault-free array computes an image the same wherever it sits in a batch, and a job's
// timing does not depend on its data, so the slices are the per-image records bit for
// bit (jobs keep the batch-1 run's start cycles and timing); the first two images' slices
// are checked against their own batch-1 runs, and a graph that fails the check (or is not
// batchable) is recorded one image at a time. One batch of a network's fully-connected
// jobs fills the vector lanes that a single image leaves empty: on LeNet-5 the records
// cost a fraction of the per-image runs (docs/pvf.md).
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "arch/array_config.h"
#include "arch/tensor.h"
#include "workloads/models/graph.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

// Whether image `image`, whose first graph output is `output`, needs its whole record
// (values and jobs); called from several threads at once.
using RecordWanted = std::function<bool(std::size_t image, const Tensor& output)>;

// Per image of `images` (each [1, ...]), its recorded run with the jobs' stationary
// operands left empty (they are `first`'s, image 0's full recorded batch-1 run), from
// batches of `batch` run on `threads` threads; nothing when the graph is not batchable
// or a slice differs from its image's batch-1 run. An image `wanted` declines (a PVF
// pool's misclassified image, never rerun) gets its outputs and cycles only: its values
// and jobs are not copied out of the batch. Images 0 and 1 are always whole (checked).
std::optional<std::vector<GraphRun>> record_in_batches(const Graph& graph, const ArrayConfig& array,
                                                       const std::vector<Tensor>& images, const GraphRun& first,
                                                       int batch, int threads, const RecordWanted& wanted = {});

// Whether two recorded runs hold the same bits: values, outputs, jobs (node, start
// cycle, cycles, streamed operand and output) and cycles.
bool same_records(const GraphRun& a, const GraphRun& b);

}  // namespace accsim
