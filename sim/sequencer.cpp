#include "sim/sequencer.h"

namespace accsim {

Sequencer::Sequencer(const ConvShape& shape, const ArrayConfig& array, const Mapping& mapping,
                     const ArrayOperands& operands)
    : shape_(shape), array_(array), mapping_(mapping), input_(operands.input), weights_(operands.weights) {}

void Sequencer::select(ChannelMap& map, const Stripe& st) const {
  if (st.group == map.group && st.block == map.block) return;
  mapping_.rows_to_channels(st.group, st.block, map.rows);
  mapping_.cols_to_channels(st.group, map.cols);
  map.group = st.group, map.block = st.block;
}

void Sequencer::load_weights(const Stripe& st, std::uint32_t* shadow) {
  select(weight_, st);
  const int C = shape_.c, R = shape_.r, S = shape_.s;
  for (int row = 0; row < array_.atomic_c; ++row) {
    for (int col = 0; col < array_.atomic_k; ++col) {
      const int ic = weight_.rows[row], oc = weight_.cols[col];
      shadow[row * array_.atomic_k + col] =
          (ic < 0 || oc < 0) ? 0u : weights_[((static_cast<std::size_t>(oc) * C + ic) * R + st.r) * S + st.s];
    }
  }
}

void Sequencer::select_data(const Stripe& st) {
  select(data_, st);
  stripe_ = st;
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
    const int ic = data_.rows[row];
    cube[row] = (!inside || ic < 0)
                    ? 0u
                    : input_[((static_cast<std::size_t>(n) * shape_.c + ic) * shape_.h + ih) * shape_.w + iw];
  }
}

}  // namespace accsim
