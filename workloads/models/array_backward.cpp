// The backward passes of Conv, Gemm and MatMul on the array: each forward job of
// array_runner.cpp becomes its backward-weight and backward-data jobs (arch/pass_lowering),
// cut and put back together the way the forward pass cut its operands.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "arch/pass_lowering.h"
#include "kernels/layout_ops.h"
#include "kernels/task_lane.h"
#include "workloads/models/array_runner.h"
#include "workloads/models/array_slices.h"

namespace accsim {

namespace {

void add_into(Tensor& to, long long offset, const Tensor& part) {
  for (std::size_t i = 0; i < part.size(); ++i) to[static_cast<std::size_t>(offset) + i] += part[i];
}

// An operand of a task on the lane: the caller's tensor when it outlives the lane's wait,
// else a copy.
struct Held {
  Held(const Tensor& t, bool borrow) : ref(borrow ? &t : nullptr), own(borrow ? Tensor() : t) {}
  const Tensor& get() const { return ref ? *ref : own; }
  const Tensor* ref;
  Tensor own;
};

}  // namespace

ArrayRunner::Gradients ArrayRunner::job_backward(const std::string& name, const ConvShape& shape, JobKind kind,
                                                 const Tensor& x, const Tensor& w, const Tensor& grad_y, bool need_x,
                                                 Tensor* later, const std::vector<int>& later_shape, bool callers) {
  ConvJob layer;
  layer.layer = name;
  layer.kind = kind;
  layer.shape = shape;
  layer.swizzle_seed = next_seed(name);  // the forward job's seed: same order of jobs
  Gradients g;
  const long long weight_start = cycle_;
  const std::optional<JobTiming> beside = need_x ? timing_beside(layer, later) : std::nullopt;
  if (beside) {
    cycle_ += beside->cycles;  // the backward-weight job's place on the timeline; it runs after backward-data
  } else {
    const LoweredJob bw = lower_backward_weight(layer, x, grad_y);
    g.second = lift_output(layer, Pass::backward_weight, execute(bw.job, bw.streamed, bw.stationary));
  }
  if (need_x) {
    const LoweredJob bd = lower_backward_data(layer, w, grad_y);
    g.first = lift_output(layer, Pass::backward_data, execute(bd.job, bd.streamed, bd.stationary));
  }
  if (beside) {
    // The task reads the caller's operands when they outlive the lane's wait, else copies
    // (temporaries of this call). Its job runs whole on the lane's thread: the caller is
    // busy with its own line and would not take a part.
    lane_->post([&engine = engine_, layer, x = Held(x, callers), grad_y = Held(grad_y, callers),
                 later, later_shape, weight_start] {
      const LoweredJob bw = lower_backward_weight(layer, x.get(), grad_y.get());
      Tensor dw = lift_output(layer, Pass::backward_weight,
                              engine.run_on(bw.job, bw.streamed, bw.stationary, weight_start, 1).output);
      *later = later_shape.empty() ? std::move(dw) : std::move(dw).reshaped(later_shape);
    });
    g.second_later = true;
  }
  return g;
}

std::optional<JobTiming> ArrayRunner::timing_beside(const ConvJob& layer, const Tensor* later) const {
  // Every such job goes to the lane whole, whatever it has queued: one hand-off per job
  // (the caller's wait() runs the tasks the lane has not started).
  if (!later || !lane_ || !lane_->beside() || record_) return std::nullopt;
  return engine_.timing_before_run(lowered_job(layer, Pass::backward_weight));  // nullopt: known only after the run
}

ArrayRunner::Gradients ArrayRunner::conv_group_backward(const std::string& name, const Tensor& x, const Tensor& w,
                                                        const Tensor& grad_y, const ConvAttributes& a, bool need_x,
                                                        Tensor* later) {
  const auto& p = a.pads;
  const int k = w.dim(0), r = w.dim(2), s = w.dim(3);
  if (a.dilation == 1) {
    if (p[0] == p[1] && p[1] == p[2] && p[2] == p[3])
      return job_backward(name, {x.dim(0), x.dim(1), x.dim(2), x.dim(3), k, r, s, a.stride, p[0]}, JobKind::forward_conv,
                          x, w, grad_y, need_x, later, {}, later != nullptr);
    const Tensor padded = pad_spatial(x, p);  // as the forward job saw it
    Gradients g = job_backward(name, {x.dim(0), x.dim(1), padded.dim(2), padded.dim(3), k, r, s, a.stride, 0},
                               JobKind::forward_conv, padded, w, grad_y, need_x, later);
    if (need_x) g.first = crop_spatial(g.first, p);
    return g;
  }
  // Dilation: each polyphase component was its own stride-1 job; its gradients go back
  // to the rows and columns it read, and the weight gradients of the phases add up.
  const int d = a.dilation;
  const Tensor padded = pad_spatial(x, p);
  Gradients g;
  g.second = Tensor(w.shape());
  Tensor grad_padded(padded.shape());
  for (int pa = 0; pa < std::min(d, grad_y.dim(2)); ++pa)
    for (int pb = 0; pb < std::min(d, grad_y.dim(3)); ++pb) {
      const Tensor part = phase(padded, d, pa, pb);
      const Gradients pg =
          job_backward(name + "/phase" + std::to_string(pa) + std::to_string(pb),
                       {x.dim(0), x.dim(1), part.dim(2), part.dim(3), k, r, s, 1, 0}, JobKind::forward_conv, part, w,
                       phase(grad_y, d, pa, pb), need_x, nullptr);
      add_into(g.second, 0, pg.second);
      if (need_x) add_phase(grad_padded, pg.first, d, pa, pb);
    }
  if (need_x) g.first = crop_spatial(grad_padded, p);
  return g;
}

ArrayRunner::Gradients ArrayRunner::conv_backward(const std::string& node, const Tensor& x, const Tensor& w,
                                                  const Tensor& grad_y, const ConvAttributes& a, bool need_first,
                                                  SwizzleSeed seed, Tensor* later) {
  begin_node(node, seed);
  const int g = a.group, cg = x.dim(1) / g, kg = w.dim(0) / g;
  if (g == 1) return conv_group_backward(node, x, w, grad_y, a, need_first, a.dilation == 1 ? later : nullptr);
  Gradients out;
  out.second = Tensor(w.shape());
  if (need_first) out.first = Tensor(x.shape());
  const long long per_group = static_cast<long long>(w.size() / g);
  for (int i = 0; i < g; ++i) {
    const Gradients part = conv_group_backward(node + "/g" + std::to_string(i), channel_slice(x, i * cg, cg),
                                               kernel_slice(w, i * kg, kg), channel_slice(grad_y, i * kg, kg), a,
                                               need_first, nullptr);
    add_into(out.second, i * per_group, part.second);
    if (need_first) put_channels(out.first, part.first, i * cg);
  }
  return out;
}

ArrayRunner::Gradients ArrayRunner::rows_times_backward(const std::string& name, const Tensor& rows,
                                                        const Tensor& stationary, const Tensor& grad_y, bool need_rows,
                                                        Tensor* later) {
  const int m = rows.dim(0), k = rows.dim(1), n = stationary.dim(0);
  Gradients g = job_backward(name, {m, k, 1, 1, n, 1, 1, 1, 0}, JobKind::forward_fc, rows.reshaped({m, k, 1, 1}),
                             stationary.reshaped({n, k, 1, 1}), grad_y.reshaped({m, n, 1, 1}), need_rows, later, {n, k});
  if (need_rows) g.first = std::move(g.first).reshaped({m, k});
  if (!g.second_later) g.second = std::move(g.second).reshaped({n, k});
  return g;
}

ArrayRunner::Gradients ArrayRunner::gemm_backward(const std::string& node, const Tensor& a, const Tensor& b, bool trans_a,
                                                  bool trans_b, const Tensor& grad_y, bool need_first, SwizzleSeed seed,
                                                  Tensor* later) {
  begin_node(node, seed);
  Gradients g = rows_times_backward(node, trans_a ? transpose(a, {1, 0}) : a, trans_b ? b : transpose(b, {1, 0}), grad_y,
                                    need_first, trans_b ? later : nullptr);  // dB needs no transpose
  if (need_first && trans_a) g.first = transpose(g.first, {1, 0});  // d op(A) -> dA
  if (!trans_b) g.second = transpose(g.second, {1, 0});             // d op(B)^T -> dB
  return g;
}

ArrayRunner::Gradients ArrayRunner::matmul_backward(const std::string& node, const Tensor& a_in, const Tensor& b_in,
                                                    const Tensor& grad_y, bool need_first, SwizzleSeed seed) {
  begin_node(node, seed);
  const Tensor a = a_in.rank() == 1 ? a_in.reshaped({1, a_in.dim(0)}) : a_in;
  const Tensor b = b_in.rank() == 1 ? b_in.reshaped({b_in.dim(0), 1}) : b_in;
  const int m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1), n = b.dim(b.rank() - 1);
  const std::vector<int> batch = matmul_batch(a, b);
  long long count = 1;
  for (int d : batch) count *= d;
  Gradients out;
  if (batch_dims(b).empty() || count == 1) {  // the forward pass's one job over every row of A
    const int rows = static_cast<int>(a.size() / k);
    Gradients g = rows_times_backward(node, a.reshaped({rows, k}), transpose(b.reshaped({k, n}), {1, 0}),
                                      grad_y.reshaped({rows, n}), need_first);
    if (need_first) out.first = std::move(g.first).reshaped(a_in.shape());
    out.second = transpose(g.second, {1, 0}).reshaped(b_in.shape());
    return out;
  }
  // One job per batch matrix; a broadcast operand's gradient sums over the matrices it served.
  Tensor da(a.shape()), db(b.shape());
  for (long long i = 0; i < count; ++i) {
    Tensor gy({m, n});
    std::memcpy(gy.data(), grad_y.data() + i * m * n, gy.size() * sizeof(float));
    const Gradients g = rows_times_backward(node + "/b" + std::to_string(i), matrix_at(a, batch, i),
                                            transpose(matrix_at(b, batch, i), {1, 0}), gy, need_first);
    if (need_first) add_into(da, matrix_offset(a, batch, i), g.first);
    add_into(db, matrix_offset(b, batch, i), transpose(g.second, {1, 0}));
  }
  if (need_first) out.first = std::move(da).reshaped(a_in.shape());
  out.second = std::move(db).reshaped(b_in.shape());
  return out;
}

}  // namespace accsim
