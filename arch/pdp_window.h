#pragma once
// A pooling window fused behind a convolution job: NVDLA's PDP pooling the job's output
// on the fly (SDP hands its results to PDP instead of writing them to DRAM; only the
// pooled results are written back). Only the window's geometry matters to the timing:
// which pooled output completes with which conv output position. docs/cycle_model.md,
// "PDP (pooling on the fly)".
#include <string>
#include <vector>

namespace accsim {

struct PdpWindow {
  int kernel_h = 0, kernel_w = 0;  // window extent in conv output positions (dilated); 0: no pooling
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_left = 0;
  int out_h = 0, out_w = 0;  // pooled output size (the caller's rounding: floor or ceil mode)

  bool enabled() const { return kernel_h > 0; }
  bool operator==(const PdpWindow& o) const {
    return kernel_h == o.kernel_h && kernel_w == o.kernel_w && stride_h == o.stride_h && stride_w == o.stride_w &&
           pad_top == o.pad_top && pad_left == o.pad_left && out_h == o.out_h && out_w == o.out_w;
  }
};

// A size x size window with stride `stride`, no padding, floor rounding, over a p x q map
// (the network chains' max-pool: stride = size).
PdpWindow square_pdp_window(int p, int q, int size, int stride);

// Throws std::invalid_argument unless the window pools a p x q map: sizes >= 1, pads
// below the kernel, every window starting inside the padded map.
void validate_pdp_window(const PdpWindow& pool, int p, int q);

// For each pooled position of one image, in (row, column) order, the flattened conv
// output position (row * q + column) of the last element its window reads: the pooled
// output is complete when that position has left SDP. Not sorted: windows clipped at
// the bottom of the map end on the same row.
std::vector<long long> pool_completion_positions(const PdpWindow& pool, int p, int q);

}  // namespace accsim
