#pragma once
// The convolution sequencer (NVDLA CSC): walks the job's stripes in NVDLA order and
// fetches the operands from the convolution buffer: each stripe's weight set for the
// shadow registers and, per atomic operation, the 1x1xatomic_c input cube broadcast
// to the array. Zero padding and idle rows/columns read as 0.
#include <vector>

#include "arch/mapping.h"
#include "arch/schedule.h"
#include "arch/tensor.h"

namespace accsim {

class Sequencer {
 public:
  Sequencer(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping, const Tensor& input,
            const Tensor& weights);

  const Schedule& schedule() const { return schedule_; }
  // Selects stripe `index` and writes its weights into `shadow` ([atomic_c][atomic_k]).
  const Stripe& begin_stripe(long long index, float* shadow);
  // The input cube of the current stripe's i-th atomic operation.
  void fetch_cube(int i, float* cube) const;
  // Output channel served by each column in the current stripe (-1: idle).
  const std::vector<int>& columns() const { return cols_; }

 private:
  const ConvShape shape_;
  const ArrayConfig array_;
  const Mapping& mapping_;
  const Tensor& input_;
  const Tensor& weights_;
  Schedule schedule_;
  Stripe stripe_;
  std::vector<int> rows_, cols_;
};

}  // namespace accsim
