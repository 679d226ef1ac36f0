#pragma once
// The three passes of a conv or linear layer lowered onto the one array primitive
// (a direct convolution, arch/conv_job.h), and the results lifted back to the layer's
// tensors. Which operand is stationary and which streamed decides which tensor
// elements a faulty PE touches in each pass (docs/mapping.md, "Lowering").
//
//   forward          stationary W [K,C,R,S]          streamed X [N,C,H,W]    -> Y  [N,K,P,Q]
//   backward-data    stationary W flipped, [C,K,R,S] streamed dY, zero-inserted
//                                                    and padded [N,K,H+R-1,W+S-1] -> dX [N,C,H,W]
//   backward-weight  stationary dY, dilated, [K,N,P',Q']  streamed X padded and
//                                                    transposed [C,N,H+2p,W+2p] -> dW [K,C,R,S]
// (P' = (P-1)*stride+1.) Zero insertion and padding are materialised so every job has
// stride 1 and no padding of its own: the zeros pass through the PEs like any value.
#include <string>

#include "arch/conv_job.h"
#include "arch/tensor.h"

namespace accsim {

enum class Pass { forward, backward_data, backward_weight };
const std::vector<std::string>& pass_names();  // {"fwd", "bwd_data", "bwd_weight"}
const std::string& to_string(Pass p);

struct LoweredJob {
  ConvJob job;
  Tensor streamed;    // the job's input [n, c, h, w]
  Tensor stationary;  // the job's weights [k, c, r, s]
};

// `layer`: the layer's forward job (its shape is the layer's; kind forward_conv/fc).
// x [N,C,H,W], w [K,C,R,S], grad_y [N,K,P,Q]; the job keeps the layer name and seed.
LoweredJob lower_forward(const ConvJob& layer, const Tensor& x, const Tensor& w);
LoweredJob lower_backward_data(const ConvJob& layer, const Tensor& w, const Tensor& grad_y);
LoweredJob lower_backward_weight(const ConvJob& layer, const Tensor& x, const Tensor& grad_y);

// The job's shape alone (for schedules, timing and fault maps without data).
ConvShape lowered_shape(const ConvJob& layer, Pass pass);
// The job lower_*() gives, without its operands (its timing before the operands exist).
ConvJob lowered_job(const ConvJob& layer, Pass pass);

// The layer tensors the job's stationary operand and output stand for: W or dY, and
// Y, dX or dW (shapes above).
std::vector<int> stationary_tensor_shape(const ConvJob& layer, Pass pass);
std::vector<int> output_tensor_shape(const ConvJob& layer, Pass pass);

// Index maps, one entry per job element (row-major): the flat index of the layer
// tensor element it holds or becomes, -1 for inserted zeros / cropped positions.
// They carry data and fault masks of any type between job and layer coordinates.
std::vector<long long> stationary_origin(const ConvJob& layer, Pass pass);
std::vector<long long> output_destination(const ConvJob& layer, Pass pass);

// The job's output as the layer's tensor (Y, dX or dW); Y and dX are the job's output
// itself (moved when the caller passes a temporary: no copy).
Tensor lift_output(const ConvJob& layer, Pass pass, Tensor job_output);

}  // namespace accsim
