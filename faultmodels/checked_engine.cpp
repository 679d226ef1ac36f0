#include "faultmodels/checked_engine.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "arch/job_timing.h"

namespace accsim {

namespace {

// The job's [K, C, R, S] view of w (a matrix's too, arch/engine.h) with k kernels.
std::vector<int> with_kernels(const Tensor& w, int k) {
  const KernelDims d = *job_weight_dims(w);  // run() checked the operands
  return {k, d[1], d[2], d[3]};
}

// weights [K, C, R, S] plus one kernel, the sum of the K kernels (in double, rounded once).
Tensor with_checksum_kernel(const Tensor& w) {
  const int K = w.dim(0);
  const std::size_t per = w.size() / static_cast<std::size_t>(K);
  Tensor out(with_kernels(w, K + 1));
  std::copy(w.values().begin(), w.values().end(), out.values().begin());
  for (std::size_t i = 0; i < per; ++i) {
    double sum = 0.0;
    for (int k = 0; k < K; ++k) sum += w[static_cast<std::size_t>(k) * per + i];
    out[static_cast<std::size_t>(K) * per + i] = static_cast<float>(sum);
  }
  return out;
}

// Does every output position's channel sum match the checksum channel?
bool checksums_agree(const Tensor& y, int K, long long positions_per_image, double tolerance) {
  const int n = y.dim(0);
  const std::size_t pq = static_cast<std::size_t>(positions_per_image);
  for (int i = 0; i < n; ++i)
    for (std::size_t m = 0; m < pq; ++m) {
      double sum = 0.0, magnitude = 0.0;
      for (int k = 0; k < K; ++k) {
        const double v = y[(static_cast<std::size_t>(i) * (K + 1) + k) * pq + m];
        sum += v;
        magnitude += std::fabs(v);
      }
      const double check = y[(static_cast<std::size_t>(i) * (K + 1) + K) * pq + m];
      const double diff = std::fabs(sum - check);
      if (!(diff <= tolerance * (magnitude + std::fabs(check)) + 1e-30)) return false;  // NaN fails too
    }
  return true;
}

Tensor without_checksum_channel(const Tensor& y, int K) {
  const int n = y.dim(0);
  const std::size_t pq = y.size() / (static_cast<std::size_t>(n) * (K + 1));
  Tensor out({n, K, y.dim(2), y.dim(3)});
  for (int i = 0; i < n; ++i)
    std::copy_n(y.data() + static_cast<std::size_t>(i) * (K + 1) * pq, static_cast<std::size_t>(K) * pq,
                out.data() + static_cast<std::size_t>(i) * K * pq);
  return out;
}

// Copy `copy`'s kernels: channel k's kernel at output channel duplicate_slot(k), zero
// kernels on the slots no channel takes (idle columns made busy by the rotation).
Tensor place_kernels(const Tensor& w, int copy, int atomic_k) {
  const int K = w.dim(0);
  const std::size_t per = w.size() / static_cast<std::size_t>(K);
  Tensor out(with_kernels(w, duplicate_channels(K, copy, atomic_k)));
  std::fill(out.values().begin(), out.values().end(), 0.0f);
  for (int k = 0; k < K; ++k)
    std::copy_n(w.data() + static_cast<std::size_t>(k) * per, per,
                out.data() + static_cast<std::size_t>(duplicate_slot(k, copy, atomic_k)) * per);
  return out;
}

// The K channels of a copy's output [n, K', p, q] back in their own order.
Tensor gather_channels(const Tensor& y, int K, int copy, int atomic_k) {
  const int n = y.dim(0), slots = y.dim(1);
  const std::size_t pq = y.size() / (static_cast<std::size_t>(n) * slots);
  Tensor out({n, K, y.dim(2), y.dim(3)});
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < K; ++k)
      std::copy_n(y.data() + (static_cast<std::size_t>(i) * slots + duplicate_slot(k, copy, atomic_k)) * pq, pq,
                  out.data() + (static_cast<std::size_t>(i) * K + k) * pq);
  return out;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

int duplicate_slot(int channel, int copy, int atomic_k) {
  return channel / atomic_k * atomic_k + (channel % atomic_k + copy) % atomic_k;
}

int duplicate_channels(int k, int copy, int atomic_k) {
  const int groups = (k + atomic_k - 1) / atomic_k;
  return std::min(k + copy % atomic_k, groups * atomic_k);
}

CheckedEngine::CheckedEngine(Engine& inner, const ArrayConfig& array, CheckKind kind, double tolerance)
    : inner_(inner), array_(array), kind_(kind), tolerance_(tolerance) {}

std::string CheckedEngine::name() const { return inner_.name() + (kind_ == CheckKind::abft ? "+abft" : "+duplicate"); }

JobResult CheckedEngine::run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) {
  check_job_operands(job, input, weights);
  ++stats_.jobs;
  return kind_ == CheckKind::abft ? run_abft(job, input, weights, start_cycle)
                                  : run_duplicate(job, input, weights, start_cycle);
}

JobResult CheckedEngine::run_encoded(const ConvJob& job, const ArrayOperands&, long long) {
  throw std::logic_error(job.layer + ": " + name() + " checks host tensors; run() it instead of run_encoded()");
}

JobResult CheckedEngine::run_abft(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start) {
  const int K = job.shape.k;
  ConvJob checked = job;
  checked.shape.k = K + 1;
  const Tensor w = with_checksum_kernel(weights);
  stats_.base_cycles += closed_form_timing(job, array_).cycles;
  JobResult r = inner_.run(checked, input, w, start);
  stats_.total_cycles += r.timing.cycles;
  const long long pq = static_cast<long long>(job.shape.p()) * job.shape.q();
  bool ok = checksums_agree(r.output, K, pq, tolerance_);
  if (!ok) {
    ++stats_.detections;
    ++stats_.reexecutions;
    JobResult again = inner_.run(checked, input, w, start + r.timing.cycles);
    stats_.total_cycles += again.timing.cycles;
    if (checksums_agree(again.output, K, pq, tolerance_)) {
      ++stats_.corrected;
      again.timing.cycles += r.timing.cycles;
      r = std::move(again);
    } else {
      r.timing.cycles += again.timing.cycles;
    }
  }
  return {without_checksum_channel(r.output, K), r.timing};
}

JobResult CheckedEngine::run_duplicate(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start) {
  const int K = job.shape.k, A = array_.atomic_k;
  // Copy `copy` computes every channel in its own output-channel group, on the column of
  // its place in the group rotated by `copy` (duplicate_slot): with atomic_k >= 3 the
  // three copies put each channel on three different columns for every swizzle policy,
  // and the rows, hence the order of additions, stay those of the unrotated job (a
  // healthy array gives the same bits). Each copy costs its own job's cycles.
  auto copy = [&](int c, long long at) {
    if (c % A == 0)  // the unrotated placement: the job as it is
      return inner_.run(job, input, weights, at);
    ConvJob placed = job;
    placed.shape.k = duplicate_channels(K, c, A);
    JobResult r = inner_.run(placed, input, place_kernels(weights, c, A), at);
    r.output = gather_channels(r.output, K, c, A);
    return r;
  };
  JobResult a = copy(0, start);
  JobResult b = copy(1, start + a.timing.cycles);
  stats_.base_cycles += a.timing.cycles;
  long long cycles = a.timing.cycles + b.timing.cycles;
  if (!same_bits(a.output, b.output)) {
    ++stats_.detections;
    // With fewer than three columns the third copy would put some channel back on the
    // column of copy 0 (atomic_k 2) or of both (atomic_k 1): a permanent fault there
    // corrupts two copies alike and wins the vote. No vote then: detected, not corrected
    // (copy 0's output is returned).
    if (A >= 3) {
      ++stats_.reexecutions;
      JobResult c = copy(2, start + cycles);
      cycles += c.timing.cycles;
      // Majority per element: c sides with a or b. Where all three differ there is no
      // majority: c's value stands and the job is not corrected.
      bool resolved = true;
      for (std::size_t i = 0; i < a.output.size(); ++i) {
        const bool ab = std::memcmp(&a.output[i], &b.output[i], sizeof(float)) == 0;
        const bool ac = std::memcmp(&a.output[i], &c.output[i], sizeof(float)) == 0;
        const bool bc = std::memcmp(&b.output[i], &c.output[i], sizeof(float)) == 0;
        if (!ab && !ac && !bc) resolved = false;
        if (ab || ac) c.output[i] = a.output[i];
      }
      stats_.corrected += resolved;
      a.output = std::move(c.output);
    }
  }
  a.timing.cycles = cycles;
  stats_.total_cycles += cycles;
  return a;
}

}  // namespace accsim
