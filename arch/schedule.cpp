#include "arch/schedule.h"

#include <algorithm>

namespace accsim {

Schedule::Schedule(const ConvShape& shape, const ArrayConfig& array)
    : shape_(shape),
      array_(array),
      groups_((shape.k + array.atomic_k - 1) / array.atomic_k),
      blocks_((shape.c + array.atomic_c - 1) / array.atomic_c),
      tiles_((shape.pixels() + array.stripe_length - 1) / array.stripe_length) {}

int Schedule::tile_length(long long tile) const {
  return static_cast<int>(std::min<long long>(array_.stripe_length, shape_.pixels() - tile * array_.stripe_length));
}

int Schedule::load_cycles(int group, int block) const {
  long long rows = std::min(array_.atomic_c, shape_.c - block * array_.atomic_c);
  long long cols = std::min(array_.atomic_k, shape_.k - group * array_.atomic_k);
  long long bytes = rows * cols * bytes_per_element(array_.datatype);
  return static_cast<int>((bytes + array_.weight_load_bytes_per_cycle - 1) / array_.weight_load_bytes_per_cycle);
}

Stripe Schedule::stripe(long long index) const {
  const int rs = shape_.r * shape_.s;
  Stripe st;
  long long i = index;
  int kernel_pos = static_cast<int>(i % rs);
  i /= rs;
  st.block = static_cast<int>(i % blocks_);
  i /= blocks_;
  st.tile = static_cast<int>(i % tiles_);
  st.group = static_cast<int>(i / tiles_);
  st.r = kernel_pos / shape_.s;
  st.s = kernel_pos % shape_.s;
  st.first_pixel = static_cast<long long>(st.tile) * array_.stripe_length;
  st.length = tile_length(st.tile);
  st.first_of_tile = st.block == 0 && kernel_pos == 0;
  st.last_of_tile = st.block == blocks_ - 1 && kernel_pos == rs - 1;
  return st;
}

}  // namespace accsim
