#include "workloads/models/array_runner.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "kernels/layout_ops.h"
#include "kernels/split_rows.h"
#include "kernels/task_lane.h"
#include "workloads/models/array_slices.h"

namespace accsim {

namespace {

// Swizzle seeds come from job names, so a job keeps its mapping whatever else runs.
std::uint64_t name_hash(const std::string& name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (const unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ULL;
  return h;
}

// Matrix `index` [k, n] of b's stack (matrix_at) transposed, as the job's stationary
// [n, k, 1, 1]: read where it lies, written once.
Tensor transposed_matrix(const Tensor& b, const std::vector<int>& batch, long long index) {
  const int k = b.dim(b.rank() - 2), n = b.dim(b.rank() - 1);
  const float* from = b.data() + matrix_offset(b, batch, index);
  Tensor t({n, k, 1, 1}, Tensor::uninitialized);
  float* to = t.data();
  for (int i = 0; i < k; ++i)
    for (int j = 0; j < n; ++j) to[static_cast<std::size_t>(j) * k + i] = from[static_cast<std::size_t>(i) * n + j];
  return t;
}

}  // namespace

void ArrayRunner::begin_node(const std::string& node, SwizzleSeed seed) {
  node_ = node;
  seed_ = seed;
  node_jobs_ = 0;
}

std::uint64_t ArrayRunner::next_seed(const std::string& name) {
  return seed_ ? *seed_ + node_jobs_++ : (++node_jobs_, name_hash(name));
}

ConvJob ArrayRunner::make_job(const std::string& name, JobKind kind, const Tensor& input, const Tensor& weights,
                              int stride, int pad, const PdpWindow& pool) {
  ConvJob job;
  job.layer = name;
  job.kind = kind;
  job.swizzle_seed = next_seed(name);
  const KernelDims w = job_weight_dims(weights).value_or(KernelDims{});  // a matrix [k, c] is [k, c, 1, 1] (arch/engine.h)
  job.shape = {input.dim(0), input.dim(1), input.dim(2), input.dim(3), w[0], w[2], w[3], stride, pad};
  job.pool = pool;
  return job;
}

Tensor ArrayRunner::run_job(const std::string& name, JobKind kind, const Tensor& input, const Tensor& weights, int stride,
                            int pad, const PdpWindow& pool) {
  return execute(make_job(name, kind, input, weights, stride, pad, pool), input, weights);
}

std::vector<Tensor> ArrayRunner::execute_all(const std::vector<ConvJob>& jobs, std::vector<Tensor> inputs,
                                             std::vector<Tensor> weights) {
  std::vector<JobResult> results = engine_.run_sequence(jobs, inputs, weights, cycle_);
  std::vector<Tensor> outputs;
  outputs.reserve(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i)
    outputs.push_back(finish(jobs[i], results[i], std::move(inputs[i]), std::move(weights[i])));
  return outputs;
}

int ArrayRunner::job_threads(const ConvJob& job) const {
  return lane_ && lane_->beside() && job.shape.macs() < kShareMacs ? 1 : engine_.threads();
}

Tensor ArrayRunner::execute(const ConvJob& job, const Tensor& input, const Tensor& weights) {
  JobResult r = engine_.run_on(job, input, weights, cycle_, job_threads(job));
  return record_ ? finish(job, r, input, weights) : finish(job, r, Tensor(), Tensor());
}

Tensor ArrayRunner::finish(const ConvJob& job, JobResult& r, Tensor input, Tensor weights) {
  if (record_) {
    LayerRun run;
    run.job = job;
    run.node = node_;
    run.start_cycle = cycle_;
    run.input = std::move(input);
    const KernelDims w = *job_weight_dims(weights);  // a matrix's record as [k, c, 1, 1], as every job's
    run.weights = std::move(weights).reshaped({w.begin(), w.end()});  // moved, not copied
    run.output = r.output;
    run.timing = r.timing;
    jobs_.push_back(std::move(run));
  }
  cycle_ += r.timing.cycles;
  return std::move(r.output);
}

Tensor ArrayRunner::conv_group(const std::string& name, const Tensor& x, const Tensor& w, const ConvAttributes& a) {
  const auto& p = a.pads;
  if (a.dilation == 1) {
    if (p[0] == p[1] && p[1] == p[2] && p[2] == p[3])
      return run_job(name, JobKind::forward_conv, x, w, a.stride, p[0], a.pool);
    return run_job(name, JobKind::forward_conv, pad_spatial(x, p), w, a.stride, 0, a.pool);
  }
  // Dilation d, stride 1: output rows (cols) congruent to a mod d read only input rows
  // congruent to a, so each polyphase component is an ordinary convolution.
  const int d = a.dilation, r = w.dim(2), s = w.dim(3);
  const Tensor padded = pad_spatial(x, p);
  const int out_h = padded.dim(2) - (r - 1) * d, out_w = padded.dim(3) - (s - 1) * d;
  if (out_h < 1 || out_w < 1) throw std::invalid_argument("dilated kernel larger than the padded input");
  Tensor y({x.dim(0), w.dim(0), out_h, out_w});
  for (int pa = 0; pa < std::min(d, out_h); ++pa)
    for (int pb = 0; pb < std::min(d, out_w); ++pb) {
      const Tensor part = run_job(name + "/phase" + std::to_string(pa) + std::to_string(pb), JobKind::forward_conv,
                                  phase(padded, d, pa, pb), w, 1, 0);
      const int ph = part.dim(2), pw = part.dim(3);
      for (int plane = 0; plane < y.dim(0) * y.dim(1); ++plane)
        for (int i = 0; i < ph; ++i)
          for (int j = 0; j < pw; ++j)
            y[(static_cast<std::size_t>(plane) * out_h + pa + i * d) * out_w + pb + j * d] =
                part[(static_cast<std::size_t>(plane) * ph + i) * pw + j];
    }
  return y;
}

Tensor ArrayRunner::conv(const std::string& node, const Tensor& x, const Tensor& w, const ConvAttributes& a,
                         SwizzleSeed seed) {
  begin_node(node, seed);
  if (a.dilation > 1 && a.stride > 1) throw std::invalid_argument("dilation > 1 is supported with stride 1 only");
  const int g = a.group, cg = x.dim(1) / g, kg = w.dim(0) / g;
  if (g == 1) return conv_group(node, x, w, a);
  if (a.dilation == 1) return conv_groups(node, x, w, a);
  Tensor y;
  for (int i = 0; i < g; ++i) {
    const Tensor part = conv_group(node + "/g" + std::to_string(i), channel_slice(x, i * cg, cg), kernel_slice(w, i * kg, kg), a);
    if (i == 0) y = Tensor({x.dim(0), w.dim(0), part.dim(2), part.dim(3)}, Tensor::uninitialized);  // every group puts its channels
    put_channels(y, part, i * kg);
  }
  return y;
}

Tensor ArrayRunner::conv_groups(const std::string& node, const Tensor& x, const Tensor& w, const ConvAttributes& a) {
  const int g = a.group, cg = x.dim(1) / g, kg = w.dim(0) / g;
  const auto& p = a.pads;
  const bool even = p[0] == p[1] && p[1] == p[2] && p[2] == p[3];  // else padded on the host, as conv_group does
  const std::size_t groups = static_cast<std::size_t>(g), per_group = x.size() / groups;
  std::vector<Tensor> inputs(groups), weights(groups);
  split_rows(host_threads_, groups, per_group, [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i) {
      const int c0 = static_cast<int>(i) * cg;
      inputs[i] = even ? channel_slice(x, c0, cg) : pad_spatial(channel_slice(x, c0, cg), p);
      weights[i] = kernel_slice(w, static_cast<int>(i) * kg, kg);
    }
  });
  std::vector<ConvJob> jobs;
  for (std::size_t i = 0; i < groups; ++i)  // in group order: the swizzle seeds follow it
    jobs.push_back(make_job(node + "/g" + std::to_string(i), JobKind::forward_conv, inputs[i], weights[i], a.stride,
                            even ? p[0] : 0, a.pool));
  const std::vector<Tensor> parts = execute_all(jobs, std::move(inputs), std::move(weights));
  Tensor y({x.dim(0), w.dim(0), parts[0].dim(2), parts[0].dim(3)}, Tensor::uninitialized);  // every group puts its channels
  split_rows(host_threads_, groups, parts[0].size(), [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i) put_channels(y, parts[i], static_cast<int>(i) * kg);
  });
  return y;
}

Tensor ArrayRunner::rows_times(const std::string& name, Tensor rows, const Tensor& stationary) {
  const int m = rows.dim(0), k = rows.dim(1), n = stationary.dim(0);
  // The [n, k] matrix is the job's weights as it is (arch/engine.h).
  Tensor y = run_job(name, JobKind::forward_fc, std::move(rows).reshaped({m, k, 1, 1}), stationary, 1, 0);
  return std::move(y).reshaped({m, n});
}

Tensor ArrayRunner::gemm(const std::string& node, const Tensor& a, const Tensor& b, bool trans_a, bool trans_b,
                         SwizzleSeed seed) {
  begin_node(node, seed);
  // A is copied once, transposed or as it is; B ([n, k] with transB) is used where it
  // lies: a PVF experiment into fc1 copied its 123 KB per rerun (6% of pvf_bench's samples).
  Tensor rows = trans_a ? transpose(a, {1, 0}, host_threads_) : a;
  if (!trans_b) return rows_times(node, std::move(rows), transpose(b, {1, 0}, host_threads_));
  return rows_times(node, std::move(rows), b);  // not `trans_b ? b : ..`: that would be a copy of b
}

Tensor ArrayRunner::matmul(const std::string& node, const Tensor& a_in, const Tensor& b_in, SwizzleSeed seed) {
  begin_node(node, seed);
  const bool vector_a = a_in.rank() == 1, vector_b = b_in.rank() == 1;
  // Vectors as matrices; matrices referred to, not copied.
  const Tensor a_row = vector_a ? a_in.reshaped({1, a_in.dim(0)}) : Tensor();
  const Tensor b_column = vector_b ? b_in.reshaped({b_in.dim(0), 1}) : Tensor();
  const Tensor& a = vector_a ? a_row : a_in;
  const Tensor& b = vector_b ? b_column : b_in;
  const int m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1), n = b.dim(b.rank() - 1);
  if (b.dim(b.rank() - 2) != k) throw std::invalid_argument("MatMul: inner dimensions differ");
  const std::vector<int> batch = matmul_batch(a, b);
  const std::vector<int> bb = batch_dims(b);
  long long count = 1;
  for (int d : batch) count *= d;
  std::vector<int> out_shape = batch;
  if (!vector_a) out_shape.push_back(m);
  if (!vector_b) out_shape.push_back(n);
  if (bb.empty() || count == 1) {  // one stationary matrix: every row of A in one job
    Tensor rows = a.reshaped({static_cast<int>(a.size() / k), k});  // the one copy of A
    // b's one matrix [.., k, n] transposed to [n, k] (its leading dims are all 1).
    const Tensor b_matrix = b.rank() == 2 ? Tensor() : b.reshaped({k, n});
    const Tensor stationary = transpose(b.rank() == 2 ? b : b_matrix, {1, 0}, host_threads_);
    return rows_times(node, std::move(rows), stationary).reshaped(out_shape);
  }
  // Every batch matrix's job as one sequence: rows [m, k] x stationary [n, k]; the
  // operands gathered and the results placed split over the host threads.
  const std::size_t matrices = static_cast<std::size_t>(count);
  std::vector<Tensor> inputs(matrices), weights(matrices);
  split_rows(host_threads_, matrices, static_cast<std::size_t>(m + n) * k, [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i) {
      inputs[i] = matrix_at(a, batch, static_cast<long long>(i)).reshaped({m, k, 1, 1});
      weights[i] = transposed_matrix(b, batch, static_cast<long long>(i));
    }
  });
  std::vector<ConvJob> jobs;
  for (std::size_t i = 0; i < matrices; ++i)
    jobs.push_back(make_job(node + "/b" + std::to_string(i), JobKind::forward_fc, inputs[i], weights[i], 1, 0));
  const std::vector<Tensor> parts = execute_all(jobs, std::move(inputs), std::move(weights));
  Tensor y(out_shape, Tensor::uninitialized);  // every matrix copied in
  const std::size_t per = static_cast<std::size_t>(m) * n;
  split_rows(host_threads_, matrices, per, [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i) std::memcpy(y.data() + i * per, parts[i].data(), per * sizeof(float));
  });
  return y;
}

}  // namespace accsim
