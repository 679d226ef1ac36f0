#pragma once
// The engine of a graph rerun against a recorded fault-free run (graph campaigns): a job
// that starts where a recorded job started, with the same stationary operand, computes
// only the output planes (image, output channel) that can differ from the recorded
// output, and takes the others from the record:
//  - every plane of the images whose streamed input differs from the recorded one;
//  - the planes of the column a stuck-at sits in, when it can act on the job
//    (workloads/campaign/stuck_at_activity.h): a PE, adder-tree or accumulator fault in column
//    c changes only the output channels column c serves;
//  - the planes a transient's error pattern touches (faultmodels/transient_mapper.h).
// On a fault-free array, a job whose stationary operand differs from the recorded one in
// some output channels (corrupted parameters, PVF) computes those channels' planes (and
// every plane of the images whose input differs); with no image's input differing, on a
// floating-point array, as a job of those channels alone when its mapping gives each
// channel the same rows (a channel's sums do not depend on its column when no PE has a
// mask; the small job plans only its own groups). On an int8 array, whose operands scale
// by their whole tensor, a job whose weights or images differ runs whole. Any other job
// runs in full on the fast engine. Bit-identical to FastEngine (kernels/array_conv.h:
// array_conv_region computes each plane as array_conv does, and a fault-free float array
// computes an image the same wherever it sits in the batch).
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "arch/engine.h"
#include "arch/mapping.h"
#include "arch/pe_faults.h"
#include "kernels/array_conv.h"
#include "workloads/run/engines.h"
#include "workloads/models/graph_runner.h"

namespace accsim {

// What a PVF rerun's caller knows of its corrupted stationary operands
// (workloads/pvf/operand_places.h): every row (output channel) of every recorded job that
// may differ from the record, so that no operand is compared with it; and, for one job,
// those rows' planes computed ahead on the recorded input (batched across a group's
// experiments, workloads/pvf/struck_planes.h), used when the job's input is the recorded
// one and its rows are the ones they were computed from.
struct KnownChanges {
  std::vector<std::pair<std::size_t, int>> rows;  // (job, channel), sorted; other rows equal the record
  std::size_t planes_job = static_cast<std::size_t>(-1);
  std::vector<float> planes;   // [n][that job's rows, in order][p * q]
  std::vector<float> weights;  // the corrupted rows they were computed from [rows][c * r * s]

  // The channels of job j in `rows`, in order (the rerun engine and the shared struck jobs
  // both ask).
  std::vector<int> channels_of(std::size_t j) const;
};

// Whether a job of `channels` alone (mapping `small`, k = channels.size()) gives each of
// them the rows `whole` gives it in every block: then each channel's planes equal the
// whole job's (no PE masked, fault-free float array).
bool same_rows(const ArrayConfig& array, const Mapping& whole, const Mapping& small, const std::vector<int>& channels);

class PlaneRerunEngine : public Engine {
 public:
  // `recorded`: a recorded fault-free run (run_graph(..., record = true)) with, per job,
  // its stationary operand and Mapping; `known`: see KnownChanges (null: operands are
  // compared with the record). Keeps references: everything must outlive it.
  PlaneRerunEngine(const ArrayConfig& array, const PeFaults& faults, const GraphRun& recorded,
                   const std::vector<Tensor>& stationary, const std::vector<Mapping>& mappings,
                   const KnownChanges* known = nullptr);
  // What a rerun knows of the next jobs' operands before it runs an array node: whether
  // the job input and the stationary operand are the record's (the node's input 0 or 1
  // did not change; each operand is computed from that input alone), so that neither is
  // compared with the record (a campaign compared fc1's 123 KB operand and every image of
  // each input; native profile 16:20, memcmp 8.3% of a campaign run). Until the next
  // expect(), which {} clears.
  struct SameOperands {
    bool input = false;
    bool stationary = false;
    // The node runs one job and its caller reads only computed_planes() of a region's
    // output: the others are left unset instead of copied from the record.
    bool planes_only = false;
    // When it has an entry per image of the jobs' input: which images differ from the
    // record's (known from the planes of the node's input), so that none is compared.
    std::vector<char> dirty_images{};
  };
  void expect(SameOperands same);
  // The output planes (image * k + channel) the one job run since expect() computed, when
  // it ran as a region of the recorded job: its other planes are the record's (unset with
  // planes_only). None otherwise (any plane may differ).
  std::optional<std::vector<std::size_t>> computed_planes() const;

  std::string name() const override { return "fast"; }
  JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) override;
  JobResult run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) override {
    return fast_.run_encoded(job, operands, start_cycle);
  }

 private:
  // dirty[i]: image i of the job's `input` differs from the record's (see SameOperands).
  std::vector<char> job_dirty_images(const Tensor& input, const Tensor& recorded_input) const;
  // The recorded job this one repeats (same start, name and shapes), or -1.
  long long recorded_job(const ConvJob& job, const Tensor& input, long long start_cycle) const;
  // The channels of job j whose stationary operand may differ from the record.
  std::vector<int> corrupted_channels(std::size_t j, const Tensor& recorded_weights, const Tensor& weights) const;
  // Writes the known planes of job j's `channels` into `out` when they apply (see KnownChanges).
  bool known_planes(std::size_t j, const std::vector<int>& channels, const Tensor& weights, Tensor& out) const;

  ArrayConfig array_;
  const PeFaults& faults_;
  const GraphRun& recorded_;
  const std::vector<Tensor>& stationary_;
  const std::vector<Mapping>& mappings_;
  const KnownChanges* known_;
  SameOperands same_;
  int jobs_ = 0;  // run since expect()
  struct ComputedRegion {  // the last job's, when it ran as a region (planes listed when asked)
    ConvRegion region;
    const Mapping* mapping;
    ConvShape shape;
  };
  std::optional<ComputedRegion> computed_;
  FastEngine fast_;
};

}  // namespace accsim
