#include "workloads/run/engines.h"

#include <malloc.h>

#include <exception>
#include <mutex>
#include <stdexcept>

#include "arch/mapping.h"
#include "faultmodels/transient_mapper.h"
#include "kernels/array_conv.h"
#include "kernels/worker_pool.h"
#include "sim/cycle_engine.h"

namespace accsim {

namespace {

// Jobs allocate and free multi-megabyte operands and accumulators by the thousand (a
// training epoch runs ~10^4 jobs). glibc would mmap and munmap each one, and the page
// faults of touching fresh pages cost as much as the arithmetic: keep freed memory in
// the heap instead.
void keep_large_blocks_in_the_heap() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  });
}

}  // namespace

FastEngine::FastEngine(const ArrayConfig& array, const PeFaults& faults, int threads)
    : array_(array), faults_(faults), threads_(threads) {
  keep_large_blocks_in_the_heap();
}

JobResult FastEngine::run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) {
  return run_on(job, input, weights, start_cycle, threads_);
}

JobResult FastEngine::run_on(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle,
                             int threads) {
  check_job_operands(job, input, weights);
  const Mapping mapping(job.shape, array_, array_.swizzle, job.swizzle_seed);
  const JobTiming timing = closed_form_timing(job, array_);  // once: the mapper needs its cycles too
  const ErrorPattern pattern = map_transients(job, array_, faults_, start_cycle, timing.cycles);
  return {array_conv(job, array_, mapping, faults_, pattern, input, weights, threads), timing};
}

std::vector<JobResult> FastEngine::run_sequence(const std::vector<ConvJob>& jobs, const std::vector<Tensor>& inputs,
                                                const std::vector<Tensor>& weights, long long start_cycle) {
  const int n = static_cast<int>(jobs.size()), t = threads_;
  if (t <= 1 || n < t || (n % t != 0 && n < 4 * t)) return Engine::run_sequence(jobs, inputs, weights, start_cycle);
  // Each job's start is known before any runs: the timing is closed-form.
  std::vector<long long> starts(jobs.size());
  for (int i = 0; i < n; ++i) {
    check_job_operands(jobs[i], inputs.at(i), weights.at(i));
    starts[i] = start_cycle;
    start_cycle += closed_form_timing(jobs[i], array_).cycles;
  }
  std::vector<JobResult> results(jobs.size());
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(t));
  run_parts(t, [&](int part) {
    try {
      for (int i = n * part / t; i < n * (part + 1) / t; ++i) results[i] = run_on(jobs[i], inputs[i], weights[i], starts[i], 1);
    } catch (...) {
      errors[part] = std::current_exception();
    }
  });
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return results;
}

JobResult FastEngine::run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) {
  check_job_operands(job, operands);
  const Mapping mapping(job.shape, array_, array_.swizzle, job.swizzle_seed);
  const JobTiming timing = closed_form_timing(job, array_);
  const ErrorPattern pattern = map_transients(job, array_, faults_, start_cycle, timing.cycles);
  return {array_conv(job, array_, mapping, faults_, pattern, operands, threads_), timing};
}

const std::vector<std::string>& engine_names() {
  static const std::vector<std::string> names{"fast", "cycle"};
  return names;
}

std::unique_ptr<Engine> make_engine(const std::string& name, const ArrayConfig& array, const PeFaults& faults,
                                    int threads) {
  if (name == "fast") return std::make_unique<FastEngine>(array, faults, threads);
  if (name == "cycle") return std::make_unique<CycleEngine>(array, faults);
  throw std::invalid_argument("unknown engine \"" + name + "\" (fast, cycle)");
}

}  // namespace accsim
