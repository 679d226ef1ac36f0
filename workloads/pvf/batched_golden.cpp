#include "workloads/pvf/batched_golden.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <stdexcept>

#include "arch/pe_faults.h"
#include "workloads/experiments/parallel_for.h"
#include "workloads/pvf/stacked_remainder.h"
#include "workloads/run/engines.h"

namespace accsim {

namespace {

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Image `slot`'s block of `batched` (a batch of `batch` images), shaped as `like`. Its
// callers pick between it and a copy as `c ? slot_of(..) : Tensor(like)`: with `like`
// itself (a const lvalue) the choice is a const Tensor, copied again, not moved.
Tensor slot_of(const Tensor& batched, const Tensor& like, int batch, int slot) {
  if (batched.size() != like.size() * static_cast<std::size_t>(batch))
    throw std::logic_error("record_in_batches: a value is not " + std::to_string(batch) + " images' blocks");
  Tensor t(like.shape(), Tensor::uninitialized);  // every element copied below
  std::memcpy(t.data(), batched.data() + static_cast<std::size_t>(slot) * like.size(), like.size() * sizeof(float));
  return t;
}

// Image `slot`'s jobs: `first`'s (start cycles and timing), with the streamed operands and
// outputs of the batch's jobs (which the nodes that read the input ran, in `first`'s order).
std::vector<LayerRun> slice_jobs(const std::vector<LayerRun>& batched, const GraphRun& first, int batch, int slot) {
  std::vector<LayerRun> jobs(first.jobs.size());
  std::size_t b = 0;
  for (std::size_t j = 0; j < first.jobs.size(); ++j) {
    const LayerRun& f = first.jobs[j];
    LayerRun& job = jobs[j];
    job.job = f.job;
    job.node = f.node;
    job.start_cycle = f.start_cycle;
    job.timing = f.timing;
    const bool ran = b < batched.size() && batched[b].node == f.node;  // else from parameters alone
    job.input = ran ? slot_of(batched[b].input, f.input, batch, slot) : Tensor(f.input);
    job.output = ran ? slot_of(batched[b].output, f.output, batch, slot) : Tensor(f.output);
    b += ran;
  }
  if (b != batched.size()) throw std::logic_error("record_in_batches: the batch ran jobs image 0 did not");
  return jobs;
}

// Whether the batch's jobs hold the stationary operands image 0's jobs of the same nodes hold.
bool same_stationaries(const std::vector<LayerRun>& batched, const GraphRun& first) {
  std::size_t b = 0;
  for (const LayerRun& f : first.jobs)
    if (b < batched.size() && batched[b].node == f.node && !same_bits(batched[b++].weights, f.weights)) return false;
  return true;
}

// Image `slot`'s values: the batch's data values sliced, the others (computed from
// parameters alone) `first`'s. Both maps are walked once in their common (name) order
// and the slice's map is built in that order: no lookup or insertion walk per value.
std::map<std::string, Tensor> slice_values(const StackedRemainder& rest, const GraphRun& run, const GraphRun& first,
                                           int batch, int slot) {
  std::map<std::string, Tensor> values;
  auto b = run.values.begin();
  for (const auto& [name, v] : first.values) {
    while (b != run.values.end() && b->first < name) ++b;
    const bool sliced = b != run.values.end() && b->first == name;
    if (!sliced && rest.data_value(name)) throw std::logic_error("record_in_batches: the batch did not compute " + name);
    values.emplace_hint(values.end(), name, sliced ? slot_of(b->second, v, batch, slot) : Tensor(v));
  }
  return values;
}

GraphRun slice(const Graph& graph, const StackedRemainder& rest, const GraphRun& run, const GraphRun& first, int slot) {
  const int batch = run.values.at(graph.inputs.at(0).name).dim(0);
  GraphRun r;
  r.values = slice_values(rest, run, first, batch, slot);
  for (const auto& out : graph.outputs) r.outputs.push_back(r.values.at(out));
  r.jobs = slice_jobs(run.jobs, first, batch, slot);
  r.cycles = first.cycles;
  return r;
}

// Image `slot`'s outputs and cycles alone: the record of an image nobody reruns.
GraphRun slice_outputs(const Graph& graph, const GraphRun& run, const GraphRun& first, int slot) {
  const int batch = run.values.at(graph.inputs.at(0).name).dim(0);
  GraphRun r;
  for (const auto& out : graph.outputs) {
    const Tensor& like = first.values.at(out);
    const auto b = run.values.find(out);
    r.outputs.push_back(b != run.values.end() ? slot_of(b->second, like, batch, slot) : Tensor(like));
  }
  r.cycles = first.cycles;
  return r;
}

// Records images [from, from + count) into `out`; false when the stationary operands differ.
bool record_batch(const Graph& graph, const ArrayConfig& array, const std::vector<Tensor>& images,
                  const GraphRun& first, const RecordWanted& wanted, std::size_t from, std::size_t count,
                  std::vector<GraphRun>& out) {
  std::vector<int> shape = images[from].shape();
  shape[0] = static_cast<int>(count);
  Tensor x(shape, Tensor::uninitialized);  // every image copied below
  const std::size_t per = images[from].size();
  for (std::size_t i = 0; i < count; ++i) std::copy_n(images[from + i].data(), per, x.data() + i * per);
  StackedRemainder rest(graph);  // one per batch: it caches shapes per batch size
  const PeFaults healthy;
  const GraphRun run = rest.record(x, first, *make_engine("fast", array, healthy));
  if (!same_stationaries(run.jobs, first)) return false;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t image = from + i;
    const int slot = static_cast<int>(i);
    GraphRun outputs = slice_outputs(graph, run, first, slot);
    // Images 0 and 1 stay whole: record_in_batches checks them against batch-1 runs.
    const bool whole = image < 2 || !wanted || wanted(image, outputs.outputs.at(0));
    out[image] = whole ? slice(graph, rest, run, first, slot) : std::move(outputs);
  }
  return true;
}

}  // namespace

bool same_records(const GraphRun& a, const GraphRun& b) {
  const auto same_values = [](const auto& x, const auto& y) {
    return x.size() == y.size() && std::equal(x.begin(), x.end(), y.begin(), [](const auto& p, const auto& q) {
             return p.first == q.first && same_bits(p.second, q.second);
           });
  };
  const auto same_job = [](const LayerRun& x, const LayerRun& y) {
    return x.node == y.node && x.start_cycle == y.start_cycle && x.timing.cycles == y.timing.cycles &&
           same_bits(x.input, y.input) && same_bits(x.output, y.output);
  };
  return a.cycles == b.cycles && same_values(a.values, b.values) && a.outputs.size() == b.outputs.size() &&
         std::equal(a.outputs.begin(), a.outputs.end(), b.outputs.begin(), same_bits) &&
         a.jobs.size() == b.jobs.size() && std::equal(a.jobs.begin(), a.jobs.end(), b.jobs.begin(), same_job);
}

std::optional<std::vector<GraphRun>> record_in_batches(const Graph& graph, const ArrayConfig& array,
                                                       const std::vector<Tensor>& images, const GraphRun& first,
                                                       int batch, int threads, const RecordWanted& wanted) {
  const std::size_t n = images.size(), size = static_cast<std::size_t>(std::max(1, batch));
  if (n < 2 || size < 2 || !StackedRemainder(graph).batchable()) return std::nullopt;
  std::vector<GraphRun> runs(n);
  std::vector<char> ok((n + size - 1) / size, 1);
  try {
    parallel_for(threads, ok.size(), [&](std::size_t b) {
      ok[b] = record_batch(graph, array, images, first, wanted, b * size, std::min(size, n - b * size), runs);
    });
  } catch (const std::logic_error&) {
    return std::nullopt;  // shapes that do not stack (checked before any value is kept)
  }
  if (std::find(ok.begin(), ok.end(), 0) != ok.end()) return std::nullopt;
  const PeFaults healthy;
  if (!same_records(runs[0], first) ||
      !same_records(runs[1], run_graph(graph, images[1], *make_engine("fast", array, healthy), true)))
    return std::nullopt;
  return runs;
}

}  // namespace accsim
