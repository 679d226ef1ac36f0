#pragma once
// Error detection on array jobs, as engine decorators: every job still runs on the
// (possibly faulty) inner engine, the decorator checks its result, re-executes on a
// detection, and counts what it did and what it cost in cycles. Re-execution repairs
// transients (the re-run starts later on the run's timeline); under ABFT a permanent
// fault gives the same wrong result again and stays "detected, not corrected", while the
// duplicate check's copies on other columns out-vote it (below).
//
//   abft        one checksum kernel, the sum of the K kernels, rides along as output
//               channel K: sum_k y[n,k,p,q] must equal y[n,K,p,q] up to rounding
//               (|difference| <= tolerance * (sum_k |y| + |y_K|) + 1e-30). Costs the
//               extra channel's cycles; detects any single corrupted output element
//               whose error exceeds the rounding bound.
//   duplicate   the job runs twice, the second copy with every output channel moved one
//               column over inside its own output-channel group (spatial diversity: a
//               permanent PE fault then corrupts different channels in each copy), and
//               the outputs are compared bit for bit; on a mismatch a third copy, moved
//               two columns over, decides each element by majority. The move is taken
//               modulo atomic_k, not modulo K or the group's used columns
//               (duplicate_slot): with atomic_k >= 3 every channel of any job shape (K
//               below, equal to or not a multiple of atomic_k, K = 1) meets three
//               different columns in the three copies under every swizzle policy, so a
//               single permanent column fault corrupts each element in one copy at most
//               and is out-voted. A partial last group may then need idle columns: the
//               copy's job gets zero kernels there (duplicate_channels) and pays their
//               cycles. Where no two copies agree on an element, the job is detected and
//               not corrected. With atomic_k 2 (1) the third copy would meet copy 0's
//               column again (the same column in every copy): no vote is taken, a
//               mismatch is detected and never corrected. Costs 2x (3x on a detection
//               with atomic_k >= 3), plus the zero kernels' weight loads.
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

// Duplicate check placement: the output channel of copy `copy`'s job (0, 1, 2) that computes
// channel `channel` of the job, on an array of `atomic_k` columns. It stays in the
// channel's output-channel group g = channel / atomic_k (same PE rows, same order of
// additions); its place in the group moves by `copy` modulo atomic_k. A group's places
// are a permutation of the columns under every swizzle policy (arch/mapping.h), so
// different places are different columns.
int duplicate_slot(int channel, int copy, int atomic_k);
// The output channels of copy `copy`'s job for a job of `k` channels: k, or up to the
// last group's full atomic_k when the move reaches idle columns (zero kernels there).
int duplicate_channels(int k, int copy, int atomic_k);

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
