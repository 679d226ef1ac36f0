#include "sim/cacc.h"

namespace accsim {

void Cacc::begin(const SimJob& job) {
  cols_ = job.array.atomic_k;
  entries_ = std::make_unique<Accumulator>(job.array, job.faults);
  tile_.words.assign(static_cast<std::size_t>(job.array.stripe_length) * cols_, 0u);
}

void Cacc::accumulate(int slot, const std::uint32_t* psum, const Stripe& st) {
  entries_->write(slot, psum, st.first_of_tile);
  if (!st.last_of_tile) return;
  std::uint32_t* out = &tile_.words[static_cast<std::size_t>(slot) * cols_];
  for (int c = 0; c < cols_; ++c) out[c] = entries_->entry(slot, c);
}

void Cacc::end_stripe(const Stripe& st, const std::vector<int>& columns) {
  if (!st.last_of_tile) return;
  tile_.first_pixel = st.first_pixel;
  tile_.length = st.length;
  tile_.columns = columns;
  to_sdp.write(tile_);
}

}  // namespace accsim
