#pragma once
// Error detection on array jobs, as engine decorators: every job still runs on the
// (possibly faulty) inner engine, the decorator checks its result, re-executes on a
// detection, and counts what it did and what it cost in cycles. Re-execution repairs
// transients (the re-run starts later on the run's timeline); a permanent fault gives
// the same wrong result again and stays "detected, not corrected".
//
//   abft        one checksum kernel, the sum of the K kernels, rides along as output
//               channel K: sum_k y[n,k,p,q] must equal y[n,K,p,q] up to rounding
//               (|difference| <= tolerance * (sum_k |y| + |y_K|) + 1e-30). Costs the
//               extra channel's cycles; detects any single corrupted output element
//               whose error exceeds the rounding bound.
//   duplicate   the job runs twice, the second time with its output channels rotated by
//               one column (spatial diversity: a permanent PE fault then corrupts
//               different channels in each copy), and the outputs are compared bit for
//               bit; on a mismatch a third copy, rotated by two, decides each element by
//               majority. Costs 2x (3x on a detection).
#include <memory>
#include <string>

#include "arch/array_config.h"
#include "arch/engine.h"

namespace accsim {

enum class CheckKind { abft, duplicate };

struct CheckStats {
  long long jobs = 0;
  long long detections = 0;    // jobs whose check failed at least once
  long long corrected = 0;     // detections a re-execution resolved
  long long reexecutions = 0;
  long long base_cycles = 0;   // what the unprotected jobs would have taken
  long long total_cycles = 0;  // with checksums, duplicates and re-executions
  double overhead() const { return base_cycles ? static_cast<double>(total_cycles) / base_cycles - 1.0 : 0.0; }
};

class CheckedEngine : public Engine {
 public:
  // `inner` (running on `array`) must outlive the decorator. `tolerance`: ABFT's
  // relative rounding bound.
  CheckedEngine(Engine& inner, const ArrayConfig& array, CheckKind kind, double tolerance = 1e-4);
  std::string name() const override;
  JobResult run(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle) override;
  // The checks build their extra operands from host tensors: encoded words are refused
  // (std::logic_error) rather than run unchecked.
  JobResult run_encoded(const ConvJob& job, const ArrayOperands& operands, long long start_cycle) override;
  const CheckStats& stats() const { return stats_; }

 private:
  JobResult run_abft(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle);
  JobResult run_duplicate(const ConvJob& job, const Tensor& input, const Tensor& weights, long long start_cycle);

  Engine& inner_;
  ArrayConfig array_;
  CheckKind kind_;
  double tolerance_;
  CheckStats stats_;
};

}  // namespace accsim
