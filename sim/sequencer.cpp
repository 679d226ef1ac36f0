#include "sim/sequencer.h"

namespace accsim {

Sequencer::Sequencer(const ConvJob& job, const ArrayConfig& array, const Mapping& mapping, const ArrayOperands& operands)
    : shape_(job.shape),
      array_(array),
      mapping_(mapping),
      input_(operands.input),
      weights_(operands.weights),
      schedule_(job.shape, array) {}

const Stripe& Sequencer::begin_stripe(long long index, std::uint32_t* shadow) {
  const Stripe next = schedule_.stripe(index);
  if (index == 0 || next.group != stripe_.group || next.block != stripe_.block) {
    mapping_.rows_to_channels(next.group, next.block, rows_);
    mapping_.cols_to_channels(next.group, cols_);
  }
  stripe_ = next;
  const int C = shape_.c, R = shape_.r, S = shape_.s;
  for (int row = 0; row < array_.atomic_c; ++row) {
    for (int col = 0; col < array_.atomic_k; ++col) {
      const int ic = rows_[row], oc = cols_[col];
      shadow[row * array_.atomic_k + col] =
          (ic < 0 || oc < 0) ? 0u : weights_[((static_cast<std::size_t>(oc) * C + ic) * R + stripe_.r) * S + stripe_.s];
    }
  }
  return stripe_;
}

void Sequencer::fetch_cube(int i, std::uint32_t* cube) const {
  const long long m = stripe_.first_pixel + i;
  const int P = shape_.p(), Q = shape_.q();
  const int n = static_cast<int>(m / (static_cast<long long>(P) * Q));
  const int pq = static_cast<int>(m % (static_cast<long long>(P) * Q));
  const int ih = (pq / Q) * shape_.stride + stripe_.r - shape_.pad;
  const int iw = (pq % Q) * shape_.stride + stripe_.s - shape_.pad;
  const bool inside = ih >= 0 && ih < shape_.h && iw >= 0 && iw < shape_.w;
  for (int row = 0; row < array_.atomic_c; ++row) {
    const int ic = rows_[row];
    cube[row] = (!inside || ic < 0)
                    ? 0u
                    : input_[((static_cast<std::size_t>(n) * shape_.c + ic) * shape_.h + ih) * shape_.w + iw];
  }
}

}  // namespace accsim
