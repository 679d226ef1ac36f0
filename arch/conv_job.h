#pragma once
// The one primitive that runs on the array: a direct convolution of a streamed
// operand (the feature map, broadcast through the array) with a stationary operand
// (the "weights" held in the PEs). Linear layers are 1x1 convolutions.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "arch/pdp_window.h"

namespace accsim {

struct ConvShape {
  int n = 1;               // batch
  int c = 1, h = 1, w = 1; // streamed operand [n, c, h, w]
  int k = 1, r = 1, s = 1; // stationary operand [k, c, r, s]
  int stride = 1;
  int pad = 0;             // zero padding on every side

  int p() const { return (h + 2 * pad - r) / stride + 1; }  // output height
  int q() const { return (w + 2 * pad - s) / stride + 1; }  // output width
  long long pixels() const { return static_cast<long long>(n) * p() * q(); }  // output positions
  long long macs() const { return pixels() * k * static_cast<long long>(c) * r * s; }

  // Throws std::invalid_argument for shapes no array can run.
  void validate() const {
    if (n < 1 || c < 1 || h < 1 || w < 1 || k < 1 || r < 1 || s < 1 || stride < 1 || pad < 0)
      throw std::invalid_argument("conv shape: sizes must be >= 1 and padding >= 0");
    if (h + 2 * pad < r || w + 2 * pad < s)
      throw std::invalid_argument("conv shape: kernel larger than the padded input");
  }
};

// Which pass of which layer a job is: the same faulty PE hits different tensor
// elements in each (arch/pass_lowering.h builds the jobs; docs/mapping.md).
enum class JobKind { forward_conv, forward_fc, backward_data, backward_weight };

struct ConvJob {
  std::string layer;  // layer name, for reports
  JobKind kind = JobKind::forward_conv;
  ConvShape shape;
  std::uint64_t swizzle_seed = 0;  // keys the random swizzle: one value per layer
  PdpWindow pool;  // pooled on the fly by PDP before the write-back (none by default)
};

}  // namespace accsim
