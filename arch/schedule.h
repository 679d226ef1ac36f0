#pragma once
// The NVDLA loop nest of one job, outermost first:
//   output-channel group g      (atomic_k kernels on the columns)
//   pixel tile t                (stripe_length output positions: one accumulator load)
//   channel operation: block b  (atomic_c input channels on the rows)
//   block: kernel position (r,s)
//   stripe: one atomic operation per output position of the tile, weights fixed.
// Output positions are flattened (n, p, q) in row-major order.
#include "arch/array_config.h"
#include "arch/conv_job.h"

namespace accsim {

struct Stripe {
  int group = 0, tile = 0, block = 0, r = 0, s = 0;
  long long first_pixel = 0;  // flattened output position of the tile's first atomic op
  int length = 0;             // atomic operations (output positions) in this stripe
  bool first_of_tile = false; // accumulator entries are overwritten, not added to
  bool last_of_tile = false;  // results leave the accumulator after this stripe
};

class Schedule {
 public:
  Schedule(const ConvShape& shape, const ArrayConfig& array);

  long long stripes() const { return static_cast<long long>(groups_) * tiles_ * blocks_ * shape_.r * shape_.s; }
  Stripe stripe(long long index) const;  // index in execution order
  int groups() const { return groups_; }
  long long tiles() const { return tiles_; }
  int blocks() const { return blocks_; }
  int tile_length(long long tile) const;
  const ConvShape& shape() const { return shape_; }
  const ArrayConfig& array() const { return array_; }

  // Cycles to fill the shadow weight registers for a stripe of (group, block): only
  // the used rows x columns are read from the convolution buffer.
  int load_cycles(int group, int block) const;

 private:
  ConvShape shape_;
  ArrayConfig array_;
  int groups_, blocks_;
  long long tiles_;
};

}  // namespace accsim
