#pragma once
// The convolution sequencer (NVDLA CSC): walks the job's stripes in NVDLA order and
// fetches the operands from the convolution buffer: each stripe's weight set for the
// shadow registers and, per atomic operation, the 1x1xatomic_c input cube broadcast
// to the array. Operands are register words (arch/array_operands.h); zero padding and
// idle rows/columns read the word 0 (the value 0 in every format).
#include <cstdint>
#include <vector>

#include "arch/array_operands.h"
#include "arch/mapping.h"
#include "arch/schedule.h"

namespace accsim {

class Sequencer {
 public:
  Sequencer(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping, const ArrayOperands& operands);

  const Schedule& schedule() const { return schedule_; }
  // Selects stripe `index` and writes its weights into `shadow` ([atomic_c][atomic_k]).
  const Stripe& begin_stripe(long long index, std::uint32_t* shadow);
  // The input cube of the current stripe's i-th atomic operation.
  void fetch_cube(int i, std::uint32_t* cube) const;
  // Output channel served by each column in the current stripe (-1: idle).
  const std::vector<int>& columns() const { return cols_; }

 private:
  const ConvShape shape_;
  const ArrayConfig array_;
  const Mapping& mapping_;
  const std::vector<std::uint32_t>& input_;
  const std::vector<std::uint32_t>& weights_;
  Schedule schedule_;
  Stripe stripe_;
  std::vector<int> rows_, cols_;
};

}  // namespace accsim
