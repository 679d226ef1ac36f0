#pragma once
// The operand walk of the convolution sequencer (NVDLA CSC), values only: a stripe's
// weight set for the shadow registers and, per atomic operation, the 1x1xatomic_c input
// cube broadcast to the array. The weight side and the data side keep their own
// channel maps, since CSC loads the next stripe's weights while the current one streams
// its cubes. Operands are register words (arch/array_operands.h); zero padding and idle
// rows/columns read the word 0 (the value 0 in every format).
#include <cstdint>
#include <vector>

#include "arch/array_operands.h"
#include "arch/mapping.h"
#include "arch/schedule.h"

namespace accsim {

class Sequencer {
 public:
  Sequencer(const ConvShape& shape, const ArrayConfig& array, const Mapping& mapping, const ArrayOperands& operands);

  // Writes stripe `st`'s weights into `shadow` ([atomic_c][atomic_k]).
  void load_weights(const Stripe& st, std::uint32_t* shadow);
  // Selects the stripe whose input cubes fetch_cube() reads.
  void select_data(const Stripe& st);
  // The input cube of the selected stripe's i-th atomic operation.
  void fetch_cube(int i, std::uint32_t* cube) const;
  // Output channel served by each column in the selected stripe (-1: idle).
  const std::vector<int>& columns() const { return data_.cols; }

 private:
  // The channels on the rows and columns for one (group, block); refreshed when it changes.
  struct ChannelMap {
    int group = -1, block = -1;
    std::vector<int> rows, cols;
  };
  void select(ChannelMap& map, const Stripe& st) const;

  const ConvShape shape_;
  const ArrayConfig& array_;
  const Mapping& mapping_;
  const std::vector<std::uint32_t>& input_;
  const std::vector<std::uint32_t>& weights_;
  ChannelMap weight_, data_;
  Stripe stripe_;  // the data side's
};

}  // namespace accsim
