#pragma once
// Runs a graph's Conv, Gemm and MatMul nodes on the simulated array: each lowers to
// ConvJobs (the one primitive, docs/mapping.md "Graph operators"), run back to back on
// one engine so that a transient's run cycle picks the job it hits. Bias, scaling and
// everything else stays on the host, as NVDLA's post-processor would do it.
//
//   Conv     stationary W[k, c/g, r, s] per group, streamed X[n, c/g, h, w] per group
//   Gemm     stationary op(B)^T as [N, K, 1, 1], streamed op(A) as [M, K, 1, 1]
//   MatMul   A[..., M, K] @ B[..., K, N]: stationary B^T [N, K, 1, 1] per batch matrix
//            (one job over every row of A when B has rank 2), streamed A's rows
//            (attention: Q.K^T holds K stationary per head, A.V holds V^T)
//
// A job's random-swizzle seed is a hash of its name, so a job keeps its mapping whatever
// else the graph runs; a node may pin it instead (`swizzle_seed`: its first job takes the
// seed, its i-th job seed + i), as the built-in networks do with their layer index.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/engine.h"
#include "workloads/models/inference.h"

namespace accsim {

class TaskLane;  // kernels/task_lane.h

struct ConvAttributes {
  int group = 1;
  int stride = 1;
  int dilation = 1;
  std::vector<int> pads{0, 0, 0, 0};  // top, left, bottom, right
  PdpWindow pool;  // pooled on the fly by PDP (workloads/models/pdp_fusion.h); none by default
};

class ArrayRunner {
 public:
  // `record`: keep every job's operands and output (LayerRun) for reports and error models.
  ArrayRunner(Engine& engine, bool record) : engine_(engine), record_(record) {}

  // With a lane beside the caller (a two-thread training step) a job of fewer than
  // kShareMacs MACs runs whole on the calling thread: a split shared with the lane's thread
  // waits on the other vCPU's answer (a wake-up, or a peer descheduled under load), and a
  // job of few positions split by columns gathers its operands on both threads. LeNet-5 at
  // batch 64: its Gemm jobs (2 M MACs and less) whole, its Conv jobs (5.5-22 M) shared.
  // The lane's own jobs (backward-weight) run whole on its thread.
  static constexpr long long kShareMacs = 1LL << 22;

  // Threads the host side of a node (operators, lowering copies) may split over
  // (kernels/split_rows.h; the same bits on any count). 1 unless the run says otherwise.
  int host_threads() const { return host_threads_; }
  void set_host_threads(int threads) { host_threads_ = threads < 1 ? 1 : threads; }

  using SwizzleSeed = std::optional<std::uint64_t>;  // a node's pinned seed, or none (name hash)

  // x [n, c, h, w], w [k, c/group, r, s] -> [n, k, p, q] (no bias).
  Tensor conv(const std::string& node, const Tensor& x, const Tensor& w, const ConvAttributes& a, SwizzleSeed seed = {});
  // op(A) [M, K] x op(B) [K, N] -> [M, N]; the transposes are ONNX Gemm's transA/transB.
  Tensor gemm(const std::string& node, const Tensor& a, const Tensor& b, bool trans_a, bool trans_b, SwizzleSeed seed = {});
  // numpy matmul semantics (batch broadcasting, rank-1 operands).
  Tensor matmul(const std::string& node, const Tensor& a, const Tensor& b, SwizzleSeed seed = {});

  // Backward passes of the three operators (docs/mapping.md "Graph backward"): every
  // forward job's backward-weight then backward-data job (arch/pass_lowering), run on the
  // same engine with the forward job's name and swizzle seed. `grad_y` is dL/dY; the
  // results are dL/d(first operand) and dL/d(second operand), shaped like them; the first
  // is skipped (left empty) when `need_first` is false (e.g. for the graph's images).
  // `later` (with a lane, set_lane): where dL/d(second) may arrive after the lane's wait
  // instead, its backward-weight job running beside the caller's next work;
  // second_later tells which happened.
  struct Gradients {
    Tensor first, second;
    bool second_later = false;
  };
  Gradients conv_backward(const std::string& node, const Tensor& x, const Tensor& w, const Tensor& grad_y,
                          const ConvAttributes& a, bool need_first, SwizzleSeed seed = {}, Tensor* later = nullptr);
  Gradients gemm_backward(const std::string& node, const Tensor& a, const Tensor& b, bool trans_a, bool trans_b,
                          const Tensor& grad_y, bool need_first, SwizzleSeed seed = {}, Tensor* later = nullptr);
  Gradients matmul_backward(const std::string& node, const Tensor& a, const Tensor& b, const Tensor& grad_y,
                            bool need_first, SwizzleSeed seed = {});

  long long cycles() const { return cycle_; }
  // Places the next job on the run's timeline (a rerun starts a node where it started before).
  void set_cycle(long long cycle) { cycle_ = cycle; }
  // Backward-weight jobs may run on this lane (array_backward.cpp); it must outlive the runner's backward calls,
  // and so must the x and dY those calls get, until the lane's wait (its tasks read them instead of copies).
  void set_lane(TaskLane* lane) { lane_ = lane; }
  std::vector<LayerRun>& jobs() { return jobs_; }
  const std::vector<LayerRun>& jobs() const { return jobs_; }

 private:
  // The node whose jobs run next.
  void begin_node(const std::string& node, SwizzleSeed seed);
  // The swizzle seed of the node's next job (pinned seed + index, or the name's hash).
  std::uint64_t next_seed(const std::string& name);
  // The threads `job` runs on: the engine's, or one beside a lane (job_threads' rule).
  int job_threads(const ConvJob& job) const;
  // Runs `job` at the current cycle, records it, advances the cycle.
  Tensor execute(const ConvJob& job, const Tensor& input, const Tensor& weights);
  // After `job` ran at the current cycle with result `r`: records it (with its operands)
  // when recording, advances the cycle; its output.
  Tensor finish(const ConvJob& job, JobResult& r, Tensor input, Tensor weights);
  // A job of the current node on input [n,c,h,w] and weights [k,c,r,s] (its seed taken).
  ConvJob make_job(const std::string& name, JobKind kind, const Tensor& input, const Tensor& weights, int stride,
                   int pad, const PdpWindow& pool = {});
  // Jobs back to back from the current cycle as execute() runs them one by one (the
  // engine may run them at once); their outputs in order.
  std::vector<Tensor> execute_all(const std::vector<ConvJob>& jobs, std::vector<Tensor> inputs,
                                  std::vector<Tensor> weights);
  // Every group of a grouped convolution (dilation 1) as one sequence.
  Tensor conv_groups(const std::string& node, const Tensor& x, const Tensor& w, const ConvAttributes& a);
  // Runs one job at the current cycle; `input` [n,c,h,w], `weights` [k,c,r,s].
  Tensor run_job(const std::string& name, JobKind kind, const Tensor& input, const Tensor& weights, int stride, int pad,
                 const PdpWindow& pool = {});
  // rows [M, K] x stationary [N, K] -> [M, N] as one job.
  Tensor rows_times(const std::string& name, Tensor rows, Tensor stationary);  // operands moved into the job
  Tensor conv_group(const std::string& name, const Tensor& x, const Tensor& w, const ConvAttributes& a);
  // A forward job's two backward passes: the layer is the forward job's shape; returns
  // {dX (when need_x), dW} lifted to the job's operand shapes.
  // `later`, `later_shape`: dW reshaped to later_shape may go to *later (Gradients).
  // `callers`: x and grad_y are the backward call's own (see set_lane).
  Gradients job_backward(const std::string& name, const ConvShape& layer, JobKind kind, const Tensor& x,
                         const Tensor& w, const Tensor& grad_y, bool need_x, Tensor* later = nullptr,
                         const std::vector<int>& later_shape = {}, bool callers = false);
  // With a lane and a `later` slot: the backward-weight job's timing, known before it runs
  // (the job then runs on the lane, after the backward-data job, at its own start cycle);
  // nullopt: it runs on the caller now.
  std::optional<JobTiming> timing_beside(const ConvJob& layer, const Tensor* later) const;
  Gradients conv_group_backward(const std::string& name, const Tensor& x, const Tensor& w, const Tensor& grad_y,
                                const ConvAttributes& a, bool need_x, Tensor* later);
  // rows [M, K] x stationary [N, K] -> [M, N] backward: {d rows, d stationary}.
  Gradients rows_times_backward(const std::string& name, const Tensor& rows, const Tensor& stationary,
                                const Tensor& grad_y, bool need_rows, Tensor* later = nullptr);

  Engine& engine_;
  bool record_;
  int host_threads_ = 1;
  long long cycle_ = 0;
  TaskLane* lane_ = nullptr;
  std::string node_;  // the node whose jobs run now
  SwizzleSeed seed_;  // its pinned swizzle seed
  std::uint64_t node_jobs_ = 0;  // jobs it ran so far
  std::vector<LayerRun> jobs_;
};

}  // namespace accsim
