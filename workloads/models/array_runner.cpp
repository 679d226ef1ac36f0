#include "workloads/models/array_runner.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "kernels/layout_ops.h"

namespace accsim {

namespace {

// Swizzle seeds come from job names, so a job keeps its mapping whatever else runs.
std::uint64_t name_hash(const std::string& name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (const unsigned char ch : name) h = (h ^ ch) * 0x100000001b3ULL;
  return h;
}

// Channels [first, first + count) of x [n, c, h, w].
Tensor channel_slice(const Tensor& x, int first, int count) {
  const int n = x.dim(0), c = x.dim(1);
  const std::size_t plane = x.size() / (static_cast<std::size_t>(n) * c);
  Tensor out({n, count, x.dim(2), x.dim(3)});
  for (int i = 0; i < n; ++i)
    std::memcpy(out.data() + static_cast<std::size_t>(i) * count * plane,
                x.data() + (static_cast<std::size_t>(i) * c + first) * plane, count * plane * sizeof(float));
  return out;
}

// Kernels [first, first + count) of w [k, c, r, s].
Tensor kernel_slice(const Tensor& w, int first, int count) {
  const std::size_t per_kernel = w.size() / w.dim(0);
  Tensor out({count, w.dim(1), w.dim(2), w.dim(3)});
  std::memcpy(out.data(), w.data() + first * per_kernel, out.size() * sizeof(float));
  return out;
}

// Writes part [n, count, p, q] into channels [first, first + count) of y [n, k, p, q].
void put_channels(Tensor& y, const Tensor& part, int first) {
  const int n = y.dim(0), k = y.dim(1), count = part.dim(1);
  const std::size_t plane = static_cast<std::size_t>(y.dim(2)) * y.dim(3);
  for (int i = 0; i < n; ++i)
    std::memcpy(y.data() + (static_cast<std::size_t>(i) * k + first) * plane,
                part.data() + static_cast<std::size_t>(i) * count * plane, count * plane * sizeof(float));
}

// Every d-th row and column of x starting at (a, b): one polyphase component.
Tensor phase(const Tensor& x, int d, int a, int b) {
  const int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  const int ph = (h - a + d - 1) / d, pw = (w - b + d - 1) / d;
  Tensor out({n, c, ph, pw});
  for (int plane = 0; plane < n * c; ++plane)
    for (int i = 0; i < ph; ++i)
      for (int j = 0; j < pw; ++j)
        out[(static_cast<std::size_t>(plane) * ph + i) * pw + j] =
            x[(static_cast<std::size_t>(plane) * h + a + i * d) * w + b + j * d];
  return out;
}

// Matrix `index` of a stack [..., rows, cols] whose batch dims broadcast to `batch`.
Tensor matrix_at(const Tensor& t, const std::vector<int>& batch, long long index) {
  const int rank = static_cast<int>(t.rank());
  const int rows = t.dim(rank - 2), cols = t.dim(rank - 1);
  long long offset = 0, stride = 1;
  for (int d = static_cast<int>(batch.size()) - 1; d >= 0; --d) {
    const int coordinate = static_cast<int>(index % batch[d]);
    index /= batch[d];
    const int own = d - (static_cast<int>(batch.size()) - (rank - 2));
    if (own < 0) continue;
    const int size = t.dim(own);
    if (size != 1) offset += coordinate * stride;
    stride *= size;
  }
  Tensor m({rows, cols});
  std::memcpy(m.data(), t.data() + offset * rows * cols, m.size() * sizeof(float));
  return m;
}

std::vector<int> batch_dims(const Tensor& t) { return {t.shape().begin(), t.shape().end() - 2}; }

}  // namespace

void ArrayRunner::begin_node(const std::string& node, SwizzleSeed seed) {
  node_ = node;
  seed_ = seed;
  node_jobs_ = 0;
}

Tensor ArrayRunner::run_job(const std::string& name, JobKind kind, const Tensor& input, const Tensor& weights, int stride,
                            int pad) {
  ConvJob job;
  job.layer = name;
  job.kind = kind;
  job.swizzle_seed = seed_ ? *seed_ + node_jobs_ : name_hash(name);
  ++node_jobs_;
  job.shape = {input.dim(0), input.dim(1), input.dim(2), input.dim(3), weights.dim(0), weights.dim(2), weights.dim(3),
               stride, pad};
  JobResult r = engine_.run(job, input, weights, cycle_);
  if (record_) {
    LayerRun run;
    run.job = job;
    run.node = node_;
    run.start_cycle = cycle_;
    run.input = input;
    run.weights = weights;
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
    if (p[0] == p[1] && p[1] == p[2] && p[2] == p[3]) return run_job(name, JobKind::forward_conv, x, w, a.stride, p[0]);
    return run_job(name, JobKind::forward_conv, pad_spatial(x, p), w, a.stride, 0);
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
  Tensor y;
  for (int i = 0; i < g; ++i) {
    const Tensor part = conv_group(node + "/g" + std::to_string(i), channel_slice(x, i * cg, cg), kernel_slice(w, i * kg, kg), a);
    if (i == 0) y = Tensor({x.dim(0), w.dim(0), part.dim(2), part.dim(3)});
    put_channels(y, part, i * kg);
  }
  return y;
}

Tensor ArrayRunner::rows_times(const std::string& name, const Tensor& rows, const Tensor& stationary) {
  const int m = rows.dim(0), k = rows.dim(1), n = stationary.dim(0);
  Tensor y = run_job(name, JobKind::forward_fc, rows.reshaped({m, k, 1, 1}), stationary.reshaped({n, k, 1, 1}), 1, 0);
  return std::move(y).reshaped({m, n});
}

Tensor ArrayRunner::gemm(const std::string& node, const Tensor& a, const Tensor& b, bool trans_a, bool trans_b,
                         SwizzleSeed seed) {
  begin_node(node, seed);
  return rows_times(node, trans_a ? transpose(a, {1, 0}) : a, trans_b ? b : transpose(b, {1, 0}));
}

Tensor ArrayRunner::matmul(const std::string& node, const Tensor& a_in, const Tensor& b_in, SwizzleSeed seed) {
  begin_node(node, seed);
  const bool vector_a = a_in.rank() == 1, vector_b = b_in.rank() == 1;
  const Tensor a = vector_a ? a_in.reshaped({1, a_in.dim(0)}) : a_in;
  const Tensor b = vector_b ? b_in.reshaped({b_in.dim(0), 1}) : b_in;
  const int m = a.dim(a.rank() - 2), k = a.dim(a.rank() - 1), n = b.dim(b.rank() - 1);
  if (b.dim(b.rank() - 2) != k) throw std::invalid_argument("MatMul: inner dimensions differ");
  std::vector<int> batch;
  const std::vector<int> ba = batch_dims(a), bb = batch_dims(b);
  const std::size_t rank = std::max(ba.size(), bb.size());
  for (std::size_t i = 0; i < rank; ++i) {
    const int da = i + ba.size() >= rank ? ba[i + ba.size() - rank] : 1;
    const int db = i + bb.size() >= rank ? bb[i + bb.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) throw std::invalid_argument("MatMul: batch dimensions do not broadcast");
    batch.push_back(std::max(da, db));
  }
  long long count = 1;
  for (int d : batch) count *= d;
  std::vector<int> out_shape = batch;
  if (!vector_a) out_shape.push_back(m);
  if (!vector_b) out_shape.push_back(n);
  if (bb.empty() || count == 1) {  // one stationary matrix: every row of A in one job
    const Tensor rows = a.reshaped({static_cast<int>(a.size() / k), k});
    return rows_times(node, rows, transpose(b.reshaped({k, n}), {1, 0})).reshaped(out_shape);
  }
  Tensor y(out_shape);
  for (long long i = 0; i < count; ++i) {
    const Tensor part = rows_times(node + "/b" + std::to_string(i), matrix_at(a, batch, i), transpose(matrix_at(b, batch, i), {1, 0}));
    std::memcpy(y.data() + i * m * n, part.data(), part.size() * sizeof(float));
  }
  return y;
}

}  // namespace accsim
