#include "arch/pdp_window.h"

#include <algorithm>
#include <stdexcept>

namespace accsim {

PdpWindow square_pdp_window(int p, int q, int size, int stride) {
  PdpWindow w;
  w.kernel_h = w.kernel_w = size;
  w.stride_h = w.stride_w = stride;
  w.out_h = (p - size) / stride + 1;
  w.out_w = (q - size) / stride + 1;
  return w;
}

void validate_pdp_window(const PdpWindow& w, int p, int q) {
  if (!w.enabled()) return;
  if (w.kernel_h < 1 || w.kernel_w < 1 || w.stride_h < 1 || w.stride_w < 1 || w.out_h < 1 || w.out_w < 1)
    throw std::invalid_argument("pool window: kernel, stride and output sizes must be >= 1");
  if (w.pad_top < 0 || w.pad_left < 0 || w.pad_top >= w.kernel_h || w.pad_left >= w.kernel_w)
    throw std::invalid_argument("pool window: pads must be in [0, kernel)");
  if ((w.out_h - 1) * w.stride_h - w.pad_top >= p || (w.out_w - 1) * w.stride_w - w.pad_left >= q)
    throw std::invalid_argument("pool window: a window starts beyond the conv output");
}

std::vector<long long> pool_completion_positions(const PdpWindow& w, int p, int q) {
  std::vector<long long> last;
  last.reserve(static_cast<std::size_t>(w.out_h) * w.out_w);
  for (int i = 0; i < w.out_h; ++i) {
    const long long row = std::min(p - 1, i * w.stride_h - w.pad_top + w.kernel_h - 1);
    for (int j = 0; j < w.out_w; ++j) last.push_back(row * q + std::min(q - 1, j * w.stride_w - w.pad_left + w.kernel_w - 1));
  }
  return last;
}

}  // namespace accsim
