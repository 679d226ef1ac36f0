#include "faultmodels/checked_engine.h"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "arch/job_timing.h"

namespace accsim {

namespace {

// weights [K, C, R, S] plus one kernel, the sum of the K kernels (in double, rounded once).
Tensor with_checksum_kernel(const Tensor& w) {
  const int K = w.dim(0);
  const std::size_t per = w.size() / static_cast<std::size_t>(K);
  Tensor out({K + 1, w.dim(1), w.dim(2), w.dim(3)});
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

// The kernels rotated by `shift` (output channel k computed as channel (k + shift) mod K),
// so it meets other PE columns; unrotate() puts the outputs back.
Tensor rotate_kernels(const Tensor& w, int shift) {
  const int K = w.dim(0);
  const std::size_t per = w.size() / static_cast<std::size_t>(K);
  Tensor out(w.shape());
  for (int k = 0; k < K; ++k)
    std::copy_n(w.data() + static_cast<std::size_t>(k) * per, per,
                out.data() + static_cast<std::size_t>((k + shift) % K) * per);
  return out;
}

Tensor unrotate(const Tensor& y, int shift) {
  const int n = y.dim(0), K = y.dim(1);
  const std::size_t pq = y.size() / (static_cast<std::size_t>(n) * K);
  Tensor out(y.shape());
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < K; ++k)
      std::copy_n(y.data() + (static_cast<std::size_t>(i) * K + (k + shift) % K) * pq, pq,
                  out.data() + (static_cast<std::size_t>(i) * K + k) * pq);
  return out;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace

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
  stats_.base_cycles += closed_form_timing(job.shape, array_).cycles;
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
  const int K = job.shape.k;
  // Each copy rotates the output channels by one more column, so a permanent fault
  // meets different channels in each (columns add in the same row order: a healthy
  // array gives the same bits).
  auto copy = [&](int shift, long long at) {
    JobResult r = inner_.run(job, input, shift % K ? rotate_kernels(weights, shift % K) : weights, at);
    if (shift % K) r.output = unrotate(r.output, shift % K);
    return r;
  };
  JobResult a = copy(0, start);
  JobResult b = copy(1, start + a.timing.cycles);
  stats_.base_cycles += a.timing.cycles;
  long long cycles = a.timing.cycles + b.timing.cycles;
  if (!same_bits(a.output, b.output)) {
    ++stats_.detections;
    ++stats_.reexecutions;
    JobResult c = copy(2, start + cycles);
    cycles += c.timing.cycles;
    // Majority per element: c sides with a or b; where all three differ, c stands.
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
  a.timing.cycles = cycles;
  stats_.total_cycles += cycles;
  return a;
}

}  // namespace accsim
